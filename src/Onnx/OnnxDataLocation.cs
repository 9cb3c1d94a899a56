namespace NetFromScratch.Onnx;

/// <summary>Where a tensor's bytes live (<c>TensorProto.DataLocation</c>).</summary>
public enum OnnxDataLocation
{
    /// <summary>Inside the message: <c>raw_data</c> or one of the typed fields.</summary>
    Default = 0,

    /// <summary>In a file beside the model, described by <see cref="OnnxTensor.ExternalData"/>.</summary>
    External = 1,
}
