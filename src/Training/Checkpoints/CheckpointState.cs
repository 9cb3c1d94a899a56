using System.Globalization;
using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Checkpoints;

/// <summary>
/// The contents of a checkpoint before it is written or after it is read: named tensors (model weights, optimizer
/// buffers, best weights) and string metadata (epoch, step counts, schedule and random-generator positions, the
/// history). Numbers are stored with round-trip formatting, so a restored run continues bit for bit.
/// </summary>
public sealed class CheckpointState
{
    /// <summary>Tensors by name.</summary>
    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Metadata by name.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the state was read from, for messages (null for a state built in memory).</summary>
    public string? Source { get; init; }

    /// <summary>Stores a number exactly.</summary>
    public void SetNumber(string key, double value) => Metadata[key] = value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Stores an integer.</summary>
    public void SetInteger(string key, long value) => Metadata[key] = value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Stores an unsigned integer (generator seeds and offsets).</summary>
    public void SetUnsigned(string key, ulong value) => Metadata[key] = value.ToString(CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool Has(string key) => Metadata.ContainsKey(key);

    /// <summary>A stored number.</summary>
    /// <exception cref="InvalidOperationException">The key is missing or not a number; the message names the checkpoint.</exception>
    public double GetNumber(string key) => double.Parse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>A stored integer.</summary>
    public long GetInteger(string key) => long.Parse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>A stored unsigned integer.</summary>
    public ulong GetUnsigned(string key) => ulong.Parse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>A stored string.</summary>
    /// <exception cref="InvalidOperationException">The key is missing.</exception>
    public string Get(string key) => Metadata.TryGetValue(key, out var v)
        ? v
        : throw new InvalidOperationException($"{Source ?? "checkpoint"}: the entry '{key}' is missing; the file was not written by this trainer or is from another version.");

    /// <summary>The numbers stored under <paramref name="prefix"/>, keyed by the rest of their name.</summary>
    public Dictionary<string, double> NumbersUnder(string prefix)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (k, v) in Metadata)
            if (k.StartsWith(prefix, StringComparison.Ordinal))
                result[k[prefix.Length..]] = double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>The tensors stored under <paramref name="prefix"/>, keyed by the rest of their name.</summary>
    public List<KeyValuePair<string, Tensor>> TensorsUnder(string prefix) =>
        Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
               .Select(kv => new KeyValuePair<string, Tensor>(kv.Key[prefix.Length..], kv.Value)).ToList();
}
