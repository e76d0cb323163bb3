using Opskit.Testing;

namespace Opskit.Edge.Tests.CommandLine;

/// <summary>Issue #20: the <c>opskit edge …</c> command lines in docs/edge.md parse as written.</summary>
public sealed class DocsExampleTests
{
    [Fact]
    public void Every_opskit_edge_command_line_in_the_docs_parses_without_errors()
    {
        var lines = DocCommandLines(Path.Combine(RepoPaths.Root, "docs", "edge.md"));
        var command = new EdgeTool().CreateCommand();

        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            // What a shell would pass: no comments, no line continuations inside our examples.
            Assert.DoesNotContain("\\", line, StringComparison.Ordinal);
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var parsed = command.Parse(words[2..]);
            Assert.True(parsed.Errors.Count == 0, $"{line}: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
        }
    }

    /// <summary>Lines of fenced code blocks that start with <c>opskit edge</c>, with shell comments removed.</summary>
    private static List<string> DocCommandLines(string path)
    {
        var result = new List<string>();
        var inBlock = false;
        foreach (var raw in File.ReadLines(path))
        {
            if (raw.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
                continue;
            }

            var hash = raw.IndexOf(" #", StringComparison.Ordinal);
            var line = (hash < 0 ? raw : raw[..hash]).Trim();
            if (inBlock && line.StartsWith("opskit edge ", StringComparison.Ordinal) && !line.Contains('…', StringComparison.Ordinal)
                && !line.Contains('[', StringComparison.Ordinal))
            {
                result.Add(line);
            }
        }

        return result;
    }
}
