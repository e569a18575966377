using System;
using System.CodeDom.Compiler;
using System.IO;

namespace StaticNets.Generator.Helpers;

/// <summary>An indented writer with brace blocks, so emitters read like the code they write.</summary>
internal sealed class SourceWriter
{
    private readonly StringWriter _text = new() { NewLine = "\n" };
    private readonly IndentedTextWriter _writer;

    public SourceWriter() => _writer = new IndentedTextWriter(_text, "    ") { NewLine = "\n" };

    public void Line(string line = "")
    {
        if (line.Length == 0)
        {
            // IndentedTextWriter would indent an empty line; keep blank lines blank.
            _writer.WriteLineNoTabs(string.Empty);
            return;
        }
        _writer.WriteLine(line);
    }

    public void Comment(string text) => Line("// " + text);

    public IDisposable Block(string header)
    {
        Line(header);
        return Block();
    }

    public IDisposable Block()
    {
        Line("{");
        _writer.Indent++;
        return new Closer(this);
    }

    public override string ToString() => _text.ToString();

    private sealed class Closer : IDisposable
    {
        private readonly SourceWriter _owner;
        private bool _closed;

        public Closer(SourceWriter owner) => _owner = owner;

        public void Dispose()
        {
            if (_closed)
                return;
            _closed = true;
            _owner._writer.Indent--;
            _owner.Line("}");
        }
    }
}
