using NetFromScratch.Tensors;

namespace NetFromScratch.Tests;

/// <summary>
/// The devices every op test runs on. A fixture marked
/// <c>[TestFixtureSource(typeof(BackendCases), nameof(BackendCases.All))]</c> takes a <see cref="Device"/> in its
/// constructor and runs once per entry. A new backend joins every op test by adding one entry here.
/// </summary>
public static class BackendCases
{
    /// <summary>Every backend available in this run, as NUnit fixture arguments named after the device.</summary>
    public static IEnumerable<TestFixtureData> All()
    {
        yield return new TestFixtureData(Device.Cpu).SetArgDisplayNames("cpu");
    }
}
