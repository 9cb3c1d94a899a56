namespace NetFromScratch.Cli.FineTuning;

/// <summary>What <c>nfs compare</c> was asked to do.</summary>
public sealed class CompareSettings
{
    /// <summary>Training examples per class of the new task, one comparison for each.</summary>
    public IReadOnlyList<int> PerClass { get; init; } = [5, 20, 50];

    /// <summary>The approaches to run: scratch, frozen, full.</summary>
    public IReadOnlyList<string> Approaches { get; init; } = ["scratch", "frozen", "full"];

    /// <summary>Image height and width.</summary>
    public int Size { get; init; } = 32;

    /// <summary>Examples per class of the original task used to pretrain the backbone.</summary>
    public int PretrainPerClass { get; init; } = 200;

    /// <summary>Epochs of pretraining.</summary>
    public int PretrainEpochs { get; init; } = 10;

    /// <summary>Epochs of every approach.</summary>
    public int Epochs { get; init; } = 15;

    /// <summary>Test examples per class, for both tasks.</summary>
    public int TestPerClass { get; init; } = 100;

    /// <summary>Samples per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Learning rate (of the head when fine-tuning; of everything from scratch).</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>The backbone's learning rate relative to the head's in full fine-tuning.</summary>
    public double BackboneLrScale { get; init; } = 0.1;

    /// <summary>Seed of the data, initialisation and shuffling.</summary>
    public ulong Seed { get; init; }

    /// <summary>CPU threads (0 = all).</summary>
    public int Threads { get; init; }

    /// <summary>The output folder, or null for <c>runs/compare-TIME</c>.</summary>
    public string? Output { get; init; }

    /// <summary>Also write the new task's training images (the largest N) as an image folder here, for <c>nfs finetune</c>.</summary>
    public string? SaveFolder { get; init; }
}
