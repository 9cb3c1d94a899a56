using System.Buffers.Binary;
using System.IO.Compression;

namespace NetFromScratch.Training.Data;

/// <summary>
/// The IDX format of the MNIST files: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions,
/// then each dimension as a big-endian int32, then the data. Plain or gzip-compressed (detected by the gzip magic).
/// </summary>
public static class IdxFile
{
    /// <summary>Reads an unsigned-byte IDX file. Returns its dimensions and raw bytes.</summary>
    /// <exception cref="DataFormatException">Wrong magic, unsupported type, or a truncated file.</exception>
    public static (int[] Dims, byte[] Data) ReadBytes(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        using var file = File.OpenRead(path);
        Stream stream = file;
        bool gz = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        if (gz) stream = new GZipStream(file, CompressionMode.Decompress);
        using (stream)
        {
            var head = new byte[4];
            ReadFull(stream, head, path, 0, "the 4-byte magic number");
            if (head[0] != 0 || head[1] != 0)
                throw new DataFormatException(path, "byte 0", $"wrong magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(head):X8}: an IDX file starts with two zero bytes (MNIST images 0x00000803, labels 0x00000801).");
            if (head[2] != 0x08)
                throw new DataFormatException(path, "byte 2", $"element type 0x{head[2]:X2} is not supported (only 0x08, unsigned byte, as in MNIST).");
            int rank = head[3];
            if (rank < 1 || rank > 4)
                throw new DataFormatException(path, "byte 3", $"{rank} dimensions is not a sensible IDX file (expected 1 to 4).");
            var dimBytes = new byte[4 * rank];
            ReadFull(stream, dimBytes, path, 4, $"{rank} dimension sizes");
            var dims = new int[rank];
            long total = 1;
            for (int i = 0; i < rank; i++)
            {
                dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
                if (dims[i] < 0) throw new DataFormatException(path, $"byte {4 + 4 * i}", $"dimension {i} has negative size {dims[i]}.");
                total *= dims[i];
            }
            long headerBytes = 4 + 4L * rank;
            if (!gz && total > file.Length - headerBytes)
                throw new DataFormatException(path, $"byte {headerBytes}", $"the header promises {total} data bytes (dimensions [{string.Join(", ", dims)}]) but only {file.Length - headerBytes} follow: the file is truncated.");
            if (total > int.MaxValue) throw new DataFormatException(path, $"byte {headerBytes}", $"{total} elements is too many.");
            var data = new byte[total];
            ReadFull(stream, data, path, headerBytes, $"{total} data bytes (dimensions [{string.Join(", ", dims)}])");
            return (dims, data);
        }
    }

    private static void ReadFull(Stream stream, byte[] buffer, string path, long offset, string what)
    {
        int read = 0;
        try
        {
            while (read < buffer.Length)
            {
                int n = stream.Read(buffer, read, buffer.Length - read);
                if (n == 0) break;
                read += n;
            }
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(path, $"byte {offset + read} (uncompressed)", "the gzip stream is corrupt.", ex);
        }
        if (read < buffer.Length)
            throw new DataFormatException(path, $"byte {offset + read}", $"the file ends early: expected {what}, got only {read} of {buffer.Length} bytes. The file is truncated.");
    }

    /// <summary>Writes an unsigned-byte IDX file (optionally gzip-compressed); used to make test data.</summary>
    public static void WriteBytes(string path, int[] dims, byte[] data, bool gzip = false)
    {
        using var file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        stream.Write(new byte[] { 0, 0, 0x08, (byte)dims.Length });
        var b = new byte[4];
        foreach (int d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(b, d);
            stream.Write(b);
        }
        stream.Write(data);
    }
}
