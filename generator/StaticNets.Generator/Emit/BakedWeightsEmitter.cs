using System.Text;
using StaticNets.Generator.Helpers;
using StaticNets.Generator.Model;

namespace StaticNets.Generator.Emit;

/// <summary>Writes the members of a network whose weights were baked in at build time (<c>Weights = "file.snet"</c>).</summary>
internal static class BakedWeightsEmitter
{
    private const int BytesPerLine = 32;

    public static void EmitMembers(SourceWriter w, NetworkSpec spec)
    {
        var baked = spec.Baked;
        if (baked is null)
            return;
        string t = spec.Scalar == ScalarKind.Double ? "double" : "float";
        string name = spec.Hierarchy.Type.Identifier;

        w.Comment($"Weights baked in at build time from '{baked.FileName}' (CRC-32 0x{baked.Checksum:X8}): {baked.ParameterBytes.Count} bytes of");
        w.Comment("little-endian parameters in the INetwork layout. A ReadOnlySpan<byte> over a constant array compiles to the");
        w.Comment("assembly's static data: reading it touches no file and allocates nothing.");
        w.Line($"/// <summary>The parameters baked in from <c>{Escape(baked.FileName)}</c> at build time, as little-endian {t} bytes.</summary>");
        w.Line("public static global::System.ReadOnlySpan<byte> BakedWeightBytes => new byte[]");
        w.Line("{");
        var line = new StringBuilder("    ");
        for (int i = 0; i < baked.ParameterBytes.Count; i++)
        {
            line.Append(baked.ParameterBytes[i]).Append(',');
            if ((i + 1) % BytesPerLine == 0 || i + 1 == baked.ParameterBytes.Count)
            {
                w.Line(line.ToString());
                line.Clear().Append("    ");
            }
        }
        w.Line("};");
        w.Line();
        w.Line($"/// <summary>Overwrites every parameter with the weights baked in from <c>{Escape(baked.FileName)}</c>.</summary>");
        w.Line("public void LoadBakedWeights()");
        using (w.Block())
        {
            w.Line("using var edit = EditParameters();");
            w.Line($"global::StaticNets.Persistence.BakedWeights.CopyTo<{t}>(BakedWeightBytes, edit.Span);");
        }
        w.Line();
        w.Line($"/// <summary>Creates the network with the weights baked in from <c>{Escape(baked.FileName)}</c>: nothing is loaded at run time.</summary>");
        w.Line($"public static {name} FromBakedWeights()");
        using (w.Block())
        {
            w.Line($"var network = new {name}(0);");
            w.Line("network.LoadBakedWeights();");
            w.Line("return network;");
        }
        w.Line();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
