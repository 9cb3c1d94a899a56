using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Data;

/// <summary>
/// Labelled images in a folder with one subfolder per class (torchvision's <c>ImageFolder</c> layout):
/// <c>root/cat/001.png</c>, <c>root/dog/x.jpg</c>. Class indices follow the subfolder names sorted ordinally; images
/// in nested folders under a class count for that class. Every image is converted to <see cref="ImageFolderOptions.Channels"/>
/// and resized bilinearly to <see cref="ImageFolderOptions.Height"/> x <see cref="ImageFolderOptions.Width"/>.
/// <para>What it reports (in <see cref="Warnings"/>, also written to <see cref="ImageFolderOptions.Log"/>): files without an
/// image extension (ignored), files directly under the root (ignored), hidden folders such as <c>.ipynb_checkpoints</c>
/// (ignored), and undecodable images (skipped or fatal, per <see cref="ImageFolderOptions.OnBadImage"/>).
/// A class folder without a single usable image is an error, not a warning: its class index would exist with no
/// examples, which is almost always a copying mistake, and silently dropping it would renumber the classes after it.</para>
/// Shape: each sample <c>[Channels, Height, Width]</c>, values in [0, 1].
/// </summary>
public sealed class ImageFolderDataset : IDataset
{
    private readonly string[] _files;
    private readonly int[] _labels;
    private readonly float[]? _pixels;
    private readonly List<string> _warnings = new();
    private readonly HashSet<int> _warnedAtLoad = new();
    private readonly ImageFolderOptions _options;

    /// <summary>Scans <paramref name="root"/> and, unless lazy, decodes every image.</summary>
    /// <exception cref="DirectoryNotFoundException">The root folder does not exist.</exception>
    /// <exception cref="DataFormatException">No class folders, a class folder with no usable images, or (under
    /// <see cref="BadImagePolicy.Fail"/>) an image that cannot be decoded.</exception>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public ImageFolderDataset(string root, ImageFolderOptions? options = null)
    {
        _options = options ?? new ImageFolderOptions();
        if (_options.Channels is not (1 or 3)) throw new ArgumentException($"ImageFolder: channels must be 1 or 3, got {_options.Channels}.");
        if (_options.Height <= 0 || _options.Width <= 0) throw new ArgumentException($"ImageFolder: target size must be positive, got {_options.Height}x{_options.Width}.");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"ImageFolder: root folder '{root}' does not exist.");
        Root = root;
        SampleShape = new Shape(_options.Channels, _options.Height, _options.Width);
        IsLazy = _options.Lazy;

        var (classNames, candidates) = Scan(root);
        ClassNames = classNames;

        // Decide which candidates are usable: headers only (lazy) or a full decode (eager).
        int sampleSize = SampleShape.Numel;
        float[]? pixels = IsLazy ? null : new float[(long)candidates.Count * sampleSize <= Array.MaxLength
            ? candidates.Count * sampleSize
            : throw new ArgumentException($"ImageFolder: {candidates.Count} images of shape {SampleShape} do not fit in memory as one array; use Lazy = true.")];
        var errors = new string?[candidates.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.DecodeThreads > 0 ? _options.DecodeThreads : Environment.ProcessorCount };
        Parallel.For(0, candidates.Count, parallel, i =>
        {
            string path = candidates[i].Path;
            if (pixels == null)
            {
                errors[i] = ImageFile.CheckHeader(path);
                return;
            }
            try
            {
                ImageFile.DecodeInto(File.ReadAllBytes(path), path, _options.Channels, _options.Height, _options.Width, pixels.AsSpan(i * sampleSize, sampleSize));
            }
            catch (DataFormatException ex) { errors[i] = ex.Problem; }
            catch (IOException ex) { errors[i] = $"cannot read the file ({ex.Message})"; }
            catch (UnauthorizedAccessException ex) { errors[i] = $"cannot read the file ({ex.Message})"; }
        });

        var files = new List<string>(candidates.Count);
        var labels = new List<int>(candidates.Count);
        var perClass = new int[classNames.Count];
        var skippedPerClass = new int[classNames.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            var (path, label) = candidates[i];
            if (errors[i] != null)
            {
                if (_options.OnBadImage == BadImagePolicy.Fail)
                    throw new DataFormatException(path, "image", $"{errors[i]} (OnBadImage = Fail; use Skip to leave such files out).");
                Warn($"skipped: {path}: {errors[i]}");
                skippedPerClass[label]++;
                continue;
            }
            if (pixels != null && files.Count != i)
                pixels.AsSpan(i * sampleSize, sampleSize).CopyTo(pixels.AsSpan(files.Count * sampleSize, sampleSize));
            files.Add(path);
            labels.Add(label);
            perClass[label]++;
        }
        for (int c = 0; c < classNames.Count; c++)
        {
            if (perClass[c] == 0 && skippedPerClass[c] > 0)
                throw new DataFormatException(Path.Combine(root, classNames[c]), $"class {c} '{classNames[c]}'",
                    $"none of its {skippedPerClass[c]} image files could be decoded (see the warnings); a class needs at least one image.");
        }
        if (pixels != null && files.Count != candidates.Count) Array.Resize(ref pixels, files.Count * sampleSize);
        _files = files.ToArray();
        _labels = labels.ToArray();
        _pixels = pixels;
        ClassCounts = perClass;
    }

    /// <summary>The folder the set was read from.</summary>
    public string Root { get; }

    /// <summary>Class names (subfolder names) by class index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Images per class.</summary>
    public IReadOnlyList<int> ClassCounts { get; }

    /// <summary>The image files in sample order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>The label of each sample.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>Whether images are decoded on demand.</summary>
    public bool IsLazy { get; }

    /// <summary>Every warning and note so far (ignored files, skipped images), in the order they arose.</summary>
    public IReadOnlyList<string> Warnings
    {
        get { lock (_warnings) return _warnings.ToArray(); }
    }

    /// <inheritdoc/>
    public int Count => _labels.Length;

    /// <inheritdoc/>
    public Shape SampleShape { get; }

    /// <inheritdoc/>
    public int ClassCount => ClassNames.Count;

    /// <summary>
    /// Copies sample <paramref name="index"/> into <paramref name="destination"/>. In lazy mode it reads and decodes the file;
    /// it may be called from several threads at once (the loader's background thread among them).
    /// </summary>
    /// <exception cref="DataFormatException">Lazy mode, <see cref="BadImagePolicy.Fail"/>, and the file no longer decodes.</exception>
    public int CopySample(int index, Span<float> destination)
    {
        int size = SampleShape.Numel;
        if (_pixels != null)
        {
            _pixels.AsSpan(index * size, size).CopyTo(destination);
            return _labels[index];
        }
        string path = _files[index];
        string problem;
        try
        {
            ImageFile.DecodeInto(File.ReadAllBytes(path), path, _options.Channels, _options.Height, _options.Width, destination[..size]);
            return _labels[index];
        }
        catch (DataFormatException ex) { problem = ex.Problem; }
        catch (IOException ex) { problem = $"cannot read the file ({ex.Message})"; }
        catch (UnauthorizedAccessException ex) { problem = $"cannot read the file ({ex.Message})"; }
        if (_options.OnBadImage == BadImagePolicy.Fail)
            throw new DataFormatException(path, "image", $"{problem} (OnBadImage = Fail; use Skip to read such files as blank images).");
        destination[..size].Clear();
        bool first;
        lock (_warnedAtLoad) first = _warnedAtLoad.Add(index);
        if (first) Warn($"skipped: {path}: {problem}; given as an all-zero image with label {_labels[index]} '{ClassNames[_labels[index]]}'.");
        return _labels[index];
    }

    /// <summary>Copies the decoded images into an <see cref="InMemoryDataset"/> (decoding them now in lazy mode).</summary>
    public InMemoryDataset ToInMemory(string? name = null)
    {
        int size = SampleShape.Numel;
        var features = new float[(long)Count * size];
        for (int i = 0; i < Count; i++) CopySample(i, features.AsSpan(i * size, size));
        return new InMemoryDataset(features, _labels.ToArray(), SampleShape, ClassCount, name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Root)));
    }

    private (List<string> ClassNames, List<(string Path, int Label)> Images) Scan(string root)
    {
        foreach (var file in Directory.GetFiles(root).Order(StringComparer.Ordinal))
            Warn($"ignored: {file}: files directly under the root belong to no class; put images in one subfolder per class.");
        var classNames = new List<string>();
        var images = new List<(string, int)>();
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (name.StartsWith('.'))
            {
                Warn($"ignored: {dir}: hidden folder, not a class.");
                continue;
            }
            int label = classNames.Count;
            classNames.Add(name);
            int found = 0;
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (!ImageFile.HasImageExtension(file))
                {
                    Warn($"ignored: {file}: not an image file (extension '{Path.GetExtension(file)}'; images are {string.Join(", ", ImageFile.Extensions)}).");
                    continue;
                }
                images.Add((file, label));
                found++;
            }
            if (found == 0)
                throw new DataFormatException(dir, $"class {label} '{name}'",
                    $"the class folder holds no image files ({string.Join(", ", ImageFile.Extensions)}); add images or remove the folder (an empty class would be an output the model never sees).");
        }
        if (classNames.Count == 0)
            throw new DataFormatException(root, "root folder", "no class subfolders found; the layout is root/<class name>/<image files>.");
        return (classNames, images);
    }

    private void Warn(string message)
    {
        lock (_warnings) _warnings.Add(message);
        var log = _options.Log;
        if (log != null)
        {
            lock (log) log.WriteLine("ImageFolder: " + message);
        }
    }
}
