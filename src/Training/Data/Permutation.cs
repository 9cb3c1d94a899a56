using NetFromScratch.Tensors;

namespace NetFromScratch.Training.Data;

/// <summary>Seeded permutations (Fisher-Yates driven by the Philox generator, so a seed gives the same order everywhere).</summary>
public static class Permutation
{
    /// <summary>0..count-1 in an order drawn from <paramref name="generator"/>.</summary>
    public static int[] Shuffled(int count, Generator generator)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        Shuffle(order, generator);
        return order;
    }

    /// <summary>Shuffles <paramref name="items"/> in place.</summary>
    public static void Shuffle(Span<int> items, Generator generator)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = generator.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
