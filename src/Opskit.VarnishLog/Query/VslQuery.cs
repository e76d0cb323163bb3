using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Opskit.VarnishLog.Parsing;

namespace Opskit.VarnishLog.Query;

/// <summary>
/// A subset of Varnish's VSL query language (<c>varnishlog -q</c>): <c>Tag</c>, <c>Tag[field]</c> and
/// <c>Tag:Header</c> (with an optional <c>[field]</c>) compared with <c>== != &lt; &lt;= &gt; &gt;=</c> (numbers),
/// <c>eq ne</c> (strings) or <c>~ !~</c> (regular expressions), joined with <c>not</c>, <c>and</c>, <c>or</c> and
/// parentheses. A comparison holds when any record of the tag in the request (or, in grouped logs, in its backend
/// transactions) satisfies it.
/// </summary>
internal sealed class VslQuery
{
    private readonly QueryNode _root;

    private VslQuery(QueryNode root, IReadOnlyList<byte[]> tags)
    {
        _root = root;
        Tags = tags;
    }

    /// <summary>The tag names the query reads; the assembler keeps their records.</summary>
    public IReadOnlyList<byte[]> Tags { get; }

    /// <summary>Parses <paramref name="text"/>; a <see cref="FormatException"/> names what is wrong.</summary>
    public static VslQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new QueryParser(QueryLexer.Tokenize(text));
        var root = parser.ParseAll();
        return new VslQuery(root, parser.Tags.Select(t => Encoding.ASCII.GetBytes(t)).ToArray());
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

/// <summary><c>Tag[:Header][[field]] op value</c>.</summary>
internal sealed class ComparisonNode : QueryNode
{
    private readonly int _tag;
    private readonly byte[]? _header;
    private readonly int _field;
    private readonly QueryOperator _op;
    private readonly byte[] _text;
    private readonly double _number;
    private readonly bool _integer;
    private readonly Regex? _regex;

    public ComparisonNode(int tag, string? header, int field, QueryOperator op, string value)
    {
        _tag = tag;
        _header = header is null ? null : Encoding.ASCII.GetBytes(header);
        _field = field;
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
        foreach (var (tag, data) in record.Captured)
        {
            if (tag == _tag && Holds(record[data], input))
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

        if (_field > 0)
        {
            value = VslLineParser.Field(value, _field - 1);
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
