// Linked into the generator (netstandard2.0) so the compile-time shape inference and the runtime's checks of
// loaded files are one piece of code: keep it plain C# with no runtime-only API.
namespace StaticNets;

/// <summary>Output sizes of convolution and pooling, shared by the generator and the runtime.</summary>
internal static class ShapeArithmetic
{
    /// <summary>
    /// Output length of a window of <paramref name="window"/> moved by <paramref name="stride"/> over
    /// <paramref name="input"/> values padded by <paramref name="padBefore"/> and <paramref name="padAfter"/>:
    /// ⌊(input + pads − window) / stride⌋ + 1, or 0 when the window does not fit.
    /// </summary>
    public static int OutputLength(int input, int window, int stride, int padBefore, int padAfter)
    {
        long span = (long)input + padBefore + padAfter - window;
        if (span < 0 || stride < 1)
            return 0;
        return (int)(span / stride + 1);
    }

    /// <summary>
    /// "Same" padding (Keras, ONNX SAME_UPPER): the output has ⌈input / stride⌉ values; the total padding is split
    /// with the odd one after.
    /// </summary>
    public static void SamePadding(int input, int window, int stride, out int before, out int after)
    {
        int output = (input + stride - 1) / stride;
        int total = (output - 1) * stride + window - input;
        if (total < 0)
            total = 0;
        before = total / 2;
        after = total - before;
    }

}
