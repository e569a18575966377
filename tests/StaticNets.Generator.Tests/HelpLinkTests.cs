using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace StaticNets.Generator.Tests;

/// <summary>Every diagnostic links to its own row of docs/diagnostics.md, under the repository URL of Directory.Build.props.</summary>
public class HelpLinkTests
{
    private static readonly string RepositoryRoot = Path.GetFullPath(Path.Combine(
        typeof(HelpLinkTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!, "..", ".."));

    private static DiagnosticDescriptor[] Descriptors()
        => typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToArray();

    [Fact]
    public void Every_descriptor_links_to_an_anchor_of_docs_diagnostics_md()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "diagnostics.md"));
        var anchors = Regex.Matches(doc, "<a id=\"([a-z0-9-]+)\"></a>").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var descriptors = Descriptors();
        Assert.True(descriptors.Length >= 30, $"found only {descriptors.Length} descriptors");
        foreach (var d in descriptors)
        {
            Assert.StartsWith(DiagnosticDescriptors.HelpLinkBase, d.HelpLinkUri, StringComparison.Ordinal);
            string anchor = d.HelpLinkUri.Substring(DiagnosticDescriptors.HelpLinkBase.Length);
            Assert.Equal(d.Id.ToLowerInvariant(), anchor);
            Assert.True(anchors.Contains(anchor), $"{d.Id}: docs/diagnostics.md has no <a id=\"{anchor}\"></a>");
            Assert.Contains($"<a id=\"{anchor}\"></a>{d.Id} ", doc, StringComparison.Ordinal);   // the anchor is on the ID's own row
        }
    }

    [Fact]
    public void The_link_base_is_the_repository_url_of_Directory_Build_props()
    {
        string props = File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Build.props"));
        string url = Regex.Match(props, "<StaticNetsRepositoryUrl>([^<]+)</StaticNetsRepositoryUrl>").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(url));
        Assert.Equal(DiagnosticDescriptors.HelpLinkBase, url + "/blob/main/docs/diagnostics.md#");
        // The package's build check (SNN100, an MSBuild warning) links to its row the same way.
        string targets = File.ReadAllText(Path.Combine(RepositoryRoot, "src", "StaticNets", "buildTransitive", "StaticNets.targets"));
        Assert.Contains($"HelpLink=\"{DiagnosticDescriptors.HelpLink("SNN100")}\"", targets, StringComparison.Ordinal);
        Assert.Contains("<a id=\"snn100\"></a>SNN100 ", File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "diagnostics.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reported_diagnostic_carries_its_link()
    {
        var run = GeneratorHarness.Run("using StaticNets;\n[Network(4, 2)]\npublic class Net;");
        var d = Assert.Single(run.Diagnostics);
        Assert.Equal("SNN001", d.Id);
        Assert.Equal("https://github.com/staticnets/staticnets/blob/main/docs/diagnostics.md#snn001", d.Descriptor.HelpLinkUri);
    }
}
