namespace Opskit.Tests.Docs;

/// <summary>
/// A shell example of README.md or docs/*.md marked runnable: a fenced block whose info string is
/// <c>sh runnable</c>, optionally followed by a <c>text output</c> block with what it prints.
/// </summary>
/// <param name="File">The Markdown file, relative to the repository root.</param>
/// <param name="Line">The line of the opening fence (one-based).</param>
/// <param name="Script">The commands, run by bash with <c>-euo pipefail</c>.</param>
/// <param name="ExpectedOutput">The lines of the output block, or null; a line <c>...</c> stands for any lines.</param>
public sealed record DocExample(string File, int Line, string Script, IReadOnlyList<string>? ExpectedOutput)
{
    /// <summary>Every runnable example of <paramref name="markdown"/>, in order.</summary>
    public static List<DocExample> Parse(string file, string markdown)
    {
        var examples = new List<DocExample>();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!IsFence(lines[i], out var info) || !IsRunnable(info))
            {
                continue;
            }

            var start = i;
            var script = Block(lines, ref i);
            IReadOnlyList<string>? output = null;
            var next = i + 1;
            while (next < lines.Length && lines[next].Trim().Length == 0)
            {
                next++;
            }

            if (next < lines.Length && IsFence(lines[next], out var nextInfo) && nextInfo == "text output")
            {
                i = next;
                output = Block(lines, ref i);
            }

            examples.Add(new DocExample(file, start + 1, string.Join('\n', script) + "\n", output));
        }

        return examples;
    }

    /// <summary>True when <paramref name="actual"/> matches the expected lines (trailing spaces ignored, <c>...</c> any lines).</summary>
    public static bool OutputMatches(IReadOnlyList<string> expected, string actual)
    {
        var lines = actual.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()).ToArray();
        return Match(expected.Select(l => l.TrimEnd()).ToArray(), 0, lines, 0);
    }

    public override string ToString() => $"{File}:{Line}";

    private static bool Match(string[] expected, int e, string[] actual, int a)
    {
        if (e == expected.Length)
        {
            return a == actual.Length;
        }

        if (expected[e] == "...")
        {
            for (var skip = a; skip <= actual.Length; skip++)
            {
                if (Match(expected, e + 1, actual, skip))
                {
                    return true;
                }
            }

            return false;
        }

        return a < actual.Length && expected[e] == actual[a] && Match(expected, e + 1, actual, a + 1);
    }

    private static List<string> Block(string[] lines, ref int i)
    {
        var body = new List<string>();
        for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
        {
            body.Add(lines[i]);
        }

        return body;
    }

    private static bool IsFence(string line, out string info)
    {
        var trimmed = line.TrimStart();
        info = trimmed.StartsWith("```", StringComparison.Ordinal) ? trimmed[3..].Trim() : string.Empty;
        return trimmed.StartsWith("```", StringComparison.Ordinal);
    }

    private static bool IsRunnable(string info)
    {
        var words = info.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 2 && words[0] is "sh" or "bash" && words.Contains("runnable");
    }
}
