using System;
using System.Linq;
using StaticNets.Interop;
using StaticNets.Persistence;
using StaticNets.Tests.Networks;
using Xunit;

namespace StaticNets.Tests.Interop;

/// <summary>safetensors with convolutions, pooling, flatten, standalone activations, dropout and layers without bias.</summary>
public class SafetensorsCnnTests
{
    private static NetworkInfo LeNet5(Precision precision) => new LayerStack(1, 28, 28)
        .Conv(6, 5, 5, Activation.ReLU, top: 2, left: 2, bottom: 2, right: 2)   // 0
        .MaxPool(2, 2, 2, 2)                                                    // 1
        .Conv(16, 5, 5, Activation.ReLU)                                        // 2
        .MaxPool(2, 2, 2, 2)                                                    // 3
        .Flatten()                                                              // 4
        .Dense(120, Activation.ReLU)                                            // 5
        .Dense(84, Activation.ReLU)                                             // 6
        .Dense(10, Activation.Softmax)                                          // 7
        .Build("LeNet5", precision, Loss.CrossEntropy);

    /// <summary>nn.Sequential(Conv2d(2, 3, 3, bias=False), ReLU(), MaxPool2d(2), Flatten(), Linear(12, 4), Sigmoid(), Linear(4, 2)) with activations folded into our layers.</summary>
    private static NetworkInfo Small(Precision precision = Precision.Single) => new LayerStack(2, 6, 7)
        .Conv(3, 3, 3, Activation.ReLU, bias: false)   // 0: [3, 2, 3, 3], no bias → 3×4×5
        .MaxPool(2, 2, 2, 2)                           // 1: 3×2×2
        .Flatten()                                     // 2: 12
        .Dropout(0.25)                                 // 3
        .Dense(4, Activation.Sigmoid)                  // 4: [4, 12], [4]
        .Dense(2, Activation.Identity, bias: false)    // 5: [2, 4]
        .Build("Small", precision);

    private static float[] Sequence(int count, float start) => Enumerable.Range(0, count).Select(i => start + i).ToArray();

    [Fact]
    public void LeNet5_exports_pytorch_names_and_layouts_and_round_trips_bit_exactly()
    {
        var net = new ReferenceCnnNetwork<float>(LeNet5(Precision.Single), 1);
        var file = SafetensorsFile.Parse(Safetensors.ToBytes(net));
        Assert.Equal(
            new[] { "layers.0.weight [6, 1, 5, 5]", "layers.0.bias [6]", "layers.2.weight [16, 6, 5, 5]", "layers.2.bias [16]",
                    "layers.5.weight [120, 400]", "layers.5.bias [120]", "layers.6.weight [84, 120]", "layers.6.bias [84]",
                    "layers.7.weight [10, 84]", "layers.7.bias [10]" },
            file.Tensors.Select(t => $"{t.Name} {t.ShapeText}"));
        Assert.All(file.Tensors, t => Assert.Equal("F32", t.DType));

        var copy = new ReferenceCnnNetwork<float>(LeNet5(Precision.Single), 2);
        Safetensors.Import(copy, Safetensors.ToBytes(net));
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());

        var d = new ReferenceCnnNetwork<double>(LeNet5(Precision.Double), 3);
        var dcopy = new ReferenceCnnNetwork<double>(LeNet5(Precision.Double), 4);
        var bytes = Safetensors.ToBytes(d);
        Assert.All(SafetensorsFile.Parse(bytes).Tensors, t => Assert.Equal("F64", t.DType));
        Safetensors.Import(dcopy, bytes);
        Assert.Equal(d.Parameters.ToArray(), dcopy.Parameters.ToArray());
    }

    [Fact]
    public void Layers_without_bias_have_no_bias_tensor_and_round_trip()
    {
        var net = new ReferenceCnnNetwork<float>(Small(), 1);
        var bytes = Safetensors.ToBytes(net);
        Assert.Equal(new[] { "layers.0.weight [3, 2, 3, 3]", "layers.4.weight [4, 12]", "layers.4.bias [4]", "layers.5.weight [2, 4]" },
            SafetensorsFile.Parse(bytes).Tensors.Select(t => $"{t.Name} {t.ShapeText}"));
        var copy = new ReferenceCnnNetwork<float>(Small(), 2);
        Safetensors.Import(copy, bytes);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public void Pytorch_sequential_state_dict_with_separate_activation_modules_is_detected_in_order()
    {
        // PyTorch's indices count the ReLU, pool, flatten and sigmoid modules: 0, 4 and 6 carry parameters.
        var w0 = Sequence(54, 1);
        var w4 = Sequence(48, 100);
        var b4 = Sequence(4, 200);
        var w6 = Sequence(8, 300);
        var file = SafetensorsTests.BuildF32(("6.weight", new long[] { 2, 4 }, w6), ("4.bias", new long[] { 4 }, b4),
                                             ("0.weight", new long[] { 3, 2, 3, 3 }, w0), ("4.weight", new long[] { 4, 12 }, w4));
        var net = new ReferenceCnnNetwork<float>(Small(), 1);
        Safetensors.Import(net, file);
        Assert.Equal(w0.Concat(w4).Concat(b4).Concat(w6), net.Parameters.ToArray());
        // Element [f, c, ky, kx] of the conv weight is w0[((f·2 + c)·3 + ky)·3 + kx]: filter 2, channel 1, row 0, column 2.
        var conv = (Conv2DLayerInfo)net.Info.Layers[0];
        Assert.Equal(w0[((2 * 2 + 1) * 3 + 0) * 3 + 2], net.Parameters[conv.Weights!.Offset + ((2 * 2 + 1) * 3 + 0) * 3 + 2]);
    }

    [Fact]
    public void Layer_names_are_given_only_for_layers_with_parameters()
    {
        var names = new[] { "features.conv", "classifier.hidden", "classifier.out" };
        var net = new ReferenceCnnNetwork<float>(Small(), 1);
        var options = new SafetensorsOptions { LayerNames = names };
        var bytes = Safetensors.ToBytes(net, options);
        Assert.Equal(new[] { "features.conv.weight", "classifier.hidden.weight", "classifier.hidden.bias", "classifier.out.weight" },
            SafetensorsFile.Parse(bytes).Tensors.Select(t => t.Name));
        var copy = new ReferenceCnnNetwork<float>(Small(), 2);
        Safetensors.Import(copy, bytes, options);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());

        var ex = Assert.Throws<ArgumentException>(() => Safetensors.ToBytes(net, new SafetensorsOptions { LayerNames = new[] { "a", "b", "c", "d", "e", "f" } }));
        Assert.StartsWith("Expected 3 layer names (one per layer with parameters of 2×6×7 → Conv2D", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv_shape_errors_name_the_tensor_and_both_shapes()
    {
        // Kernel rows and columns swapped: [3, 2, 3, 3] expected.
        var file = SafetensorsTests.BuildF32(("0.weight", new long[] { 3, 3, 2, 3 }, new float[54]), ("4.weight", new long[] { 4, 12 }, new float[48]),
                                             ("4.bias", new long[] { 4 }, new float[4]), ("6.weight", new long[] { 2, 4 }, new float[8]));
        var net = new ReferenceCnnNetwork<float>(Small(), 1);
        var before = net.Parameters.ToArray();
        var ex = Assert.Throws<InvalidNetworkFileException>(() => Safetensors.Import(net, file));
        Assert.Equal(NetworkFileProblem.ShapeMismatch, ex.Problem);
        Assert.Equal("Tensor '0.weight' has the wrong shape for layer 0: expected [3, 2, 3, 3] ([out_c, in_c, kh, kw], as nn.Conv2d.weight) but found [3, 3, 2, 3].", ex.Message);
        Assert.Equal(before, net.Parameters.ToArray());

        // A dense layer after flatten whose input count does not match the flattened size (layer 4 of ours).
        var dense = SafetensorsTests.BuildF32(("0.weight", new long[] { 3, 2, 3, 3 }, new float[54]), ("4.weight", new long[] { 4, 13 }, new float[52]),
                                              ("4.bias", new long[] { 4 }, new float[4]), ("6.weight", new long[] { 2, 4 }, new float[8]));
        ex = Assert.Throws<InvalidNetworkFileException>(() => Safetensors.Import(net, dense));
        Assert.Equal("Tensor '4.weight' has the wrong shape for layer 4: expected [4, 12] ([out, in], as nn.Linear.weight) but found [4, 13].", ex.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void A_bias_for_a_layer_without_bias_and_a_missing_bias_are_errors()
    {
        var net = new ReferenceCnnNetwork<float>(Small(), 1);
        var before = net.Parameters.ToArray();
        var extra = SafetensorsTests.BuildF32(("0.weight", new long[] { 3, 2, 3, 3 }, new float[54]), ("0.bias", new long[] { 3 }, new float[3]),
                                              ("4.weight", new long[] { 4, 12 }, new float[48]), ("4.bias", new long[] { 4 }, new float[4]), ("6.weight", new long[] { 2, 4 }, new float[8]));
        var ex = Assert.Throws<InvalidNetworkFileException>(() => Safetensors.Import(net, extra));
        Assert.Equal(NetworkFileProblem.ArchitectureMismatch, ex.Problem);
        Assert.Contains("Tensor '0.bias' is a bias but layer 0 (Conv2D) has none", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[3]", ex.Message, StringComparison.Ordinal);

        var missing = SafetensorsTests.BuildF32(("0.weight", new long[] { 3, 2, 3, 3 }, new float[54]), ("4.weight", new long[] { 4, 12 }, new float[48]),
                                                ("6.weight", new long[] { 2, 4 }, new float[8]));
        ex = Assert.Throws<InvalidNetworkFileException>(() => Safetensors.Import(net, missing));
        Assert.Equal(NetworkFileProblem.MissingTensor, ex.Problem);
        Assert.StartsWith("No tensor '4.bias' for layer 4", ex.Message, StringComparison.Ordinal);

        var short1 = SafetensorsTests.BuildF32(("4.weight", new long[] { 4, 12 }, new float[48]), ("4.bias", new long[] { 4 }, new float[4]), ("6.weight", new long[] { 2, 4 }, new float[8]));
        ex = Assert.Throws<InvalidNetworkFileException>(() => Safetensors.Import(net, short1));
        Assert.Equal(NetworkFileProblem.MissingTensor, ex.Problem);
        Assert.Contains("Layers not found by name", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'4' [4, 12], '6' [2, 4]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Parameters.ToArray());
    }
}
