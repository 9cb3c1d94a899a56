namespace NetFromScratch.Onnx;

/// <summary>Which value an attribute holds (<c>AttributeProto.AttributeType</c>; the numbers are the ones stored in files).</summary>
public enum OnnxAttributeType
{
    /// <summary>Not set and not inferable.</summary>
    Undefined = 0,

    /// <summary>One float (<see cref="OnnxAttribute.F"/>).</summary>
    Float = 1,

    /// <summary>One 64-bit integer (<see cref="OnnxAttribute.I"/>).</summary>
    Int = 2,

    /// <summary>One byte string (<see cref="OnnxAttribute.S"/>), usually UTF-8 text.</summary>
    String = 3,

    /// <summary>One tensor (<see cref="OnnxAttribute.T"/>).</summary>
    Tensor = 4,

    /// <summary>One graph (<see cref="OnnxAttribute.G"/>), the body of control flow.</summary>
    Graph = 5,

    /// <summary>A list of floats.</summary>
    Floats = 6,

    /// <summary>A list of 64-bit integers.</summary>
    Ints = 7,

    /// <summary>A list of byte strings.</summary>
    Strings = 8,

    /// <summary>A list of tensors.</summary>
    Tensors = 9,

    /// <summary>A list of graphs.</summary>
    Graphs = 10,

    /// <summary>One sparse tensor (not modelled: its value is skipped on read).</summary>
    SparseTensor = 11,

    /// <summary>A list of sparse tensors (not modelled).</summary>
    SparseTensors = 12,

    /// <summary>One type description (not modelled).</summary>
    TypeProto = 13,

    /// <summary>A list of type descriptions (not modelled).</summary>
    TypeProtos = 14,
}
