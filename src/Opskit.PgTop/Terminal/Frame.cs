using System.Text;

namespace Opskit.PgTop.Terminal;

/// <summary>
/// One screenful built in memory and written with a single write: every line is cut to the width and cleared to
/// its end, so a redraw never flickers and costs one system call. Colours only when enabled.
/// </summary>
internal sealed class Frame
{
    public const string Reset = "\u001b[0m";
    public const string Bold = "\u001b[1m";
    public const string Inverse = "\u001b[7m";
    public const string Red = "\u001b[31m";
    public const string Green = "\u001b[32m";
    public const string Yellow = "\u001b[33m";
    public const string Cyan = "\u001b[36m";
    public const string Dim = "\u001b[2m";
    private readonly StringBuilder _text = new(16 * 1024);

    public Frame(int width, int height, bool color)
    {
        Width = Math.Max(20, width);
        Height = Math.Max(5, height);
        Color = color;
    }

    public int Width { get; }

    public int Height { get; }

    public bool Color { get; }

    public int Lines { get; private set; }

    public bool Full => Lines >= Height;

    /// <summary>Adds a line (cut to the width) in <paramref name="style"/> when colours are on.</summary>
    public void Line(string text, string? style = null)
    {
        if (Full)
        {
            return;
        }

        _text.Append(Lines == 0 ? "\u001b[H" : "\r\n");
        if (Color && style is not null)
        {
            _text.Append(style);
        }

        var shown = text.Length > Width ? text.AsSpan(0, Width) : text.AsSpan();
        foreach (var c in shown)
        {
            _text.Append(char.IsControl(c) ? ' ' : c);
        }

        if (Color && style is not null)
        {
            if (style.Contains(Inverse, StringComparison.Ordinal))
            {
                _text.Append(' ', Width - shown.Length); // the bar spans the width
            }

            _text.Append(Reset);
        }

        _text.Append("\u001b[K");
        Lines++;
    }

    /// <summary>Blank lines to <paramref name="line"/> (for the footer at the bottom).</summary>
    public void FillTo(int line)
    {
        while (Lines < line && !Full)
        {
            Line(string.Empty);
        }
    }

    public string Finish()
    {
        _text.Append("\u001b[J"); // clear below the last line (after a shrink)
        return _text.ToString();
    }
}
