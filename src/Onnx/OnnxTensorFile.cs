using NetFromScratch.Onnx.Proto;

namespace NetFromScratch.Onnx;

/// <summary>
/// Standalone serialized <c>TensorProto</c> files, the format of ONNX's test data (<c>input_0.pb</c>, <c>output_0.pb</c>)
/// and of inputs given to <c>nfs onnx run</c>.
/// </summary>
public static class OnnxTensorFile
{
    /// <summary>Reads a tensor file; external data, if any, is read relative to the file's directory.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxFormatException">The file is truncated or malformed, or its data disagrees with its dims.</exception>
    public static OnnxTensor Read(string path)
    {
        var bytes = OnnxFile.ReadAll(path);
        return Parse(bytes, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Parses a serialized tensor; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="OnnxFormatException">The bytes are truncated or malformed, or the data disagrees with the dims.</exception>
    public static OnnxTensor Parse(ReadOnlySpan<byte> bytes, string name = "tensor", string? baseDirectory = null)
    {
        var r = new ProtoReader(bytes, name);
        OnnxTensor tensor;
        try
        {
            tensor = OnnxTensor.Read(ref r);
        }
        catch (OnnxFormatException e)
        {
            throw e.Within("tensor");
        }
        if (baseDirectory is not null)
            OnnxExternalData.Load(tensor, tensor.Name.Length > 0 ? $"tensor '{tensor.Name}'" : "tensor", baseDirectory);
        return tensor;
    }

    /// <summary>The protobuf bytes of <paramref name="tensor"/>.</summary>
    public static byte[] ToBytes(OnnxTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var w = new ProtoWriter(64 + (tensor.RawData?.Length ?? 0));
        tensor.WriteFields(w);
        return w.ToArray();
    }

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, OnnxTensor tensor) => OnnxFile.WriteAtomically(path, ToBytes(tensor));
}
