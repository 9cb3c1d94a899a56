namespace NetFromScratch.Tensors.Serialization;

/// <summary>The tensors and metadata read from one safetensors file, in the order of its header.</summary>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, Tensor> _byName;

    internal SafeTensorsFile(string source, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Source = source;
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    /// <summary>The file the tensors came from.</summary>
    public string Source { get; }

    /// <summary>Name and tensor pairs in header order.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Tensors { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message lists the file.</exception>
    public Tensor this[string name] => _byName.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"{Source}: no tensor named '{name}'.");

    /// <summary>True when a tensor called <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);
}
