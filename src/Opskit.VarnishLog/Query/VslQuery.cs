using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Opskit.VarnishLog.Parsing;

namespace Opskit.VarnishLog.Query;

/// <summary>
/// Varnish's VSL query language (<c>varnishlog -q</c>, vsl-query(7)): <c>{level}taglist:prefix[field] op value</c>
/// where the tag list is comma-separated tags and globs (<c>Req*</c>, <c>*Header</c>, <c>*</c>), and
/// <c>vxid op integer</c>; operators <c>== != &lt; &lt;= &gt; &gt;=</c> (numbers), <c>eq ne</c> (strings),
/// <c>~ !~</c> (regular expressions); <c>not</c>, <c>and</c>, <c>or</c> and parentheses. The text may hold several
/// queries, one per line, or-ed together, with <c>#</c> comments and backslash-newline continuations (what
/// <c>-Q FILE</c> reads). A comparison holds when any record of the request (or, in grouped logs, of its backend
/// transactions) satisfies it.
/// </summary>
internal sealed class VslQuery
{
    private readonly QueryNode _root;

    private VslQuery(QueryNode root, TagPatternSet tags)
    {
        _root = root;
        Tags = tags;
    }

    /// <summary>The tags the query reads; the assembler keeps their records.</summary>
    public TagPatternSet Tags { get; }

    /// <summary>Parses <paramref name="text"/>; a <see cref="FormatException"/> names what is wrong (and the line).</summary>
    public static VslQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tags = new List<TagPattern>();
        QueryNode? root = null;
        foreach (var (line, number) in Lines(text))
        {
            var parser = new QueryParser(QueryLexer.Tokenize(line));
            QueryNode node;
            try
            {
                node = parser.ParseAll();
            }
            catch (FormatException ex) when (number > 0)
            {
                throw new FormatException($"query line {number}: {ex.Message}", ex);
            }

            tags.AddRange(parser.Tags);
            root = root is null ? node : new OrNode(root, node);
        }

        return root is null ? throw new FormatException("empty query") : new VslQuery(root, new TagPatternSet(tags));
    }

    /// <summary>
    /// The queries of <paramref name="text"/>, one per line (vsl-query(7)): a backslash before a newline joins two
    /// lines, <c>#</c> outside quotes starts a comment, empty lines are skipped. Line numbers (from 1) only when there
    /// are several lines.
    /// </summary>
    private static IEnumerable<(string Line, int Number)> Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var several = lines.Length > 1;
        var current = new StringBuilder();
        var first = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = StripComment(lines[i]);
            if (current.Length == 0)
            {
                first = i + 1;
            }

            if (line.EndsWith('\\'))
            {
                current.Append(line.AsSpan(0, line.Length - 1)).Append(' ');
                continue;
            }

            current.Append(line);
            var query = current.ToString();
            current.Clear();
            if (!string.IsNullOrWhiteSpace(query))
            {
                yield return (query, several ? first : 0);
            }
        }

        if (!string.IsNullOrWhiteSpace(current.ToString()))
        {
            yield return (current.ToString(), several ? first : 0);
        }
    }

    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#')
            {
                return line[..i];
            }
        }

        return line;
    }

    public bool Matches(RequestRecord record, RegexInput input) => _root.Evaluate(record, input);
}

/// <summary>A node of a parsed query.</summary>
internal abstract class QueryNode
{
    public abstract bool Evaluate(RequestRecord record, RegexInput input);
}

internal sealed class NotNode(QueryNode inner) : QueryNode
{
    public override bool Evaluate(RequestRecord record, RegexInput input) => !inner.Evaluate(record, input);
}

internal sealed class AndNode(QueryNode left, QueryNode right) : QueryNode
{
    public override bool Evaluate(RequestRecord record, RegexInput input) => left.Evaluate(record, input) && right.Evaluate(record, input);
}

internal sealed class OrNode(QueryNode left, QueryNode right) : QueryNode
{
    public override bool Evaluate(RequestRecord record, RegexInput input) => left.Evaluate(record, input) || right.Evaluate(record, input);
}

internal enum QueryOperator
{
    Exists,
    NumEqual,
    NumNotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    StringEqual,
    StringNotEqual,
    Match,
    NoMatch,
}

internal enum LevelOperator
{
    Any,
    Exactly,
    AtLeast,
    AtMost,
}

/// <summary>The record selection criteria: <c>{level}taglist:prefix[field]</c>.</summary>
internal sealed record RecordSelector(TagPattern[] Tags, int Level, LevelOperator LevelOperator, string? Prefix, int Field);

/// <summary><c>vxid op integer</c>: the request's transaction id.</summary>
internal sealed class VxidNode(QueryOperator op, long vxid) : QueryNode
{
    public override bool Evaluate(RequestRecord record, RegexInput input) => op switch
    {
        QueryOperator.NumEqual => record.Vxid == vxid,
        QueryOperator.NumNotEqual => record.Vxid != vxid,
        QueryOperator.Less => record.Vxid < vxid,
        QueryOperator.LessOrEqual => record.Vxid <= vxid,
        QueryOperator.Greater => record.Vxid > vxid,
        _ => record.Vxid >= vxid,
    };
}

/// <summary><c>{level}taglist:prefix[field] op value</c>.</summary>
internal sealed class ComparisonNode : QueryNode
{
    private readonly RecordSelector _selector;
    private readonly byte[]? _header;
    private readonly QueryOperator _op;
    private readonly byte[] _text;
    private readonly double _number;
    private readonly bool _integer;
    private readonly Regex? _regex;

    public ComparisonNode(RecordSelector selector, QueryOperator op, string value)
    {
        _selector = selector;
        _header = selector.Prefix is null ? null : Encoding.ASCII.GetBytes(selector.Prefix);
        _op = op;
        _text = Encoding.UTF8.GetBytes(value);
        if (op is QueryOperator.Match or QueryOperator.NoMatch)
        {
            _regex = RegexInput.Compile(value, "-q");
        }
        else if (op is >= QueryOperator.NumEqual and <= QueryOperator.GreaterOrEqual)
        {
            _integer = long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer);
            if (_integer)
            {
                _number = integer;
            }
            else if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _number))
            {
                throw new FormatException($"'{value}' is not a number (use eq/ne to compare strings)");
            }
        }
    }

    public override bool Evaluate(RequestRecord record, RegexInput input)
    {
        foreach (var (tag, level, data) in record.Captured)
        {
            if (LevelHolds(level) && TagHolds(record[tag]) && Holds(record[data], input))
            {
                return true;
            }
        }

        return false;
    }

    private bool LevelHolds(int level) => _selector.LevelOperator switch
    {
        LevelOperator.Exactly => level == _selector.Level,
        LevelOperator.AtLeast => level >= _selector.Level,
        LevelOperator.AtMost => level <= _selector.Level,
        _ => true,
    };

    private bool TagHolds(ReadOnlySpan<byte> tag)
    {
        foreach (var pattern in _selector.Tags)
        {
            if (pattern.Matches(tag))
            {
                return true;
            }
        }

        return false;
    }

    private bool Holds(ReadOnlySpan<byte> value, RegexInput input)
    {
        if (_header is not null && !HeaderLine.TryValue(value, _header, out value))
        {
            return false;
        }

        if (_selector.Field > 0)
        {
            value = VslLineParser.Field(value, _selector.Field - 1);
            if (value.IsEmpty)
            {
                return false;
            }
        }

        switch (_op)
        {
            case QueryOperator.Exists:
                return true;
            case QueryOperator.StringEqual:
                return value.SequenceEqual(_text);
            case QueryOperator.StringNotEqual:
                return !value.SequenceEqual(_text);
            case QueryOperator.Match:
                return input.IsMatch(_regex!, value);
            case QueryOperator.NoMatch:
                return !input.IsMatch(_regex!, value);
        }

        double number;
        if (_integer)
        {
            // VSL compares integers when the operand is one: "2.5" does not equal 2.
            var parsed = RequestRecord.ParseLong(value.TrimStart((byte)'+'));
            if (parsed < 0 && !(value.Length > 1 && value[0] == '-' && long.TryParse(Encoding.ASCII.GetString(value), CultureInfo.InvariantCulture, out parsed)))
            {
                return false;
            }

            number = parsed;
        }
        else
        {
            number = RequestRecord.ParseDouble(value);
            if (double.IsNaN(number))
            {
                return false;
            }
        }

        return _op switch
        {
            QueryOperator.NumEqual => number == _number,
            QueryOperator.NumNotEqual => number != _number,
            QueryOperator.Less => number < _number,
            QueryOperator.LessOrEqual => number <= _number,
            QueryOperator.Greater => number > _number,
            _ => number >= _number,
        };
    }
}
