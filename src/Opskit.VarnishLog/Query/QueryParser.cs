using System.Globalization;

namespace Opskit.VarnishLog.Query;

/// <summary>Recursive descent over the tokens: <c>or</c> binds loosest, then <c>and</c>, then <c>not</c>.</summary>
internal sealed class QueryParser
{
    private readonly IReadOnlyList<QueryToken> _tokens;
    private readonly List<TagPattern> _tags = [];
    private int _next;

    public QueryParser(IReadOnlyList<QueryToken> tokens) => _tokens = tokens;

    /// <summary>Every tag and glob of every tag list: the records the query reads.</summary>
    public IReadOnlyList<TagPattern> Tags => _tags;

    public QueryNode ParseAll()
    {
        if (_tokens.Count == 0)
        {
            throw new FormatException("empty query");
        }

        var node = ParseOr();
        if (_next < _tokens.Count)
        {
            throw new FormatException($"unexpected '{_tokens[_next].Text}' at position {_tokens[_next].Position}");
        }

        return node;
    }

    private QueryNode ParseOr()
    {
        var left = ParseAnd();
        while (IsWord("or"))
        {
            _next++;
            left = new OrNode(left, ParseAnd());
        }

        return left;
    }

    private QueryNode ParseAnd()
    {
        var left = ParseUnary();
        while (IsWord("and"))
        {
            _next++;
            left = new AndNode(left, ParseUnary());
        }

        return left;
    }

    private QueryNode ParseUnary()
    {
        if (IsWord("not"))
        {
            _next++;
            return new NotNode(ParseUnary());
        }

        var token = Take("a tag or '('");
        if (token.Kind == QueryTokenKind.Open)
        {
            var inner = ParseOr();
            var close = Take("')'");
            if (close.Kind != QueryTokenKind.Close)
            {
                throw new FormatException($"expected ')' at position {close.Position}, found '{close.Text}'");
            }

            return inner;
        }

        if (token.Kind != QueryTokenKind.Word)
        {
            throw new FormatException($"expected a tag at position {token.Position}, found '{token.Text}'");
        }

        return ParseComparison(token);
    }

    private QueryNode ParseComparison(QueryToken lhs)
    {
        // {level}Tag,Tag*,*Tag:Prefix[field] op value, or vxid op integer.
        var text = lhs.Text;
        var where = $"'{lhs.Text}' at position {lhs.Position}";
        if (text == "vxid")
        {
            return ParseVxid(lhs, where);
        }

        var level = 0;
        var levelOp = LevelOperator.Any;
        if (text.StartsWith('{'))
        {
            var close = text.IndexOf('}', StringComparison.Ordinal);
            var inside = close < 0 ? string.Empty : text[1..close];
            levelOp = inside.EndsWith('+') ? LevelOperator.AtLeast : inside.EndsWith('-') ? LevelOperator.AtMost : LevelOperator.Exactly;
            var digits = levelOp == LevelOperator.Exactly ? inside : inside[..^1];
            if (close < 0 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out level))
            {
                throw new FormatException($"bad level in {where} (a number, optionally followed by + or -, in braces)");
            }

            text = text[(close + 1)..];
        }

        var field = 0;
        var bracket = text.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            if (!text.EndsWith(']') || !int.TryParse(text.AsSpan(bracket + 1, text.Length - bracket - 2), NumberStyles.None, CultureInfo.InvariantCulture, out field) || field < 1)
            {
                throw new FormatException($"bad field index in {where} (fields count from 1)");
            }

            text = text[..bracket];
        }

        string? header = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            header = text[(colon + 1)..];
            text = text[..colon];
            if (header.Length == 0)
            {
                throw new FormatException($"empty record prefix in {where}");
            }
        }

        if (text is "and" or "or" or "not" || text.Length == 0)
        {
            throw new FormatException($"{where} is not a tag");
        }

        var tags = text.Split(',').Select(t => TagPattern.Parse(t, where)).ToArray();
        _tags.AddRange(tags);
        var selector = new RecordSelector(tags, level, levelOp, header, field);
        if (_next >= _tokens.Count || _tokens[_next].Kind != QueryTokenKind.Operator)
        {
            return new ComparisonNode(selector, QueryOperator.Exists, string.Empty);
        }

        var op = _tokens[_next++];
        var value = Take("a value after '" + op.Text + "'");
        if (value.Kind is not (QueryTokenKind.Word or QueryTokenKind.Quoted))
        {
            throw new FormatException($"expected a value at position {value.Position}, found '{value.Text}'");
        }

        return new ComparisonNode(selector, Operator(op), value.Text);
    }

    private VxidNode ParseVxid(QueryToken lhs, string where)
    {
        if (_next >= _tokens.Count || _tokens[_next].Kind != QueryTokenKind.Operator)
        {
            throw new FormatException($"{where}: vxid needs a numerical operator and an integer");
        }

        var op = Operator(_tokens[_next++]);
        var value = Take("an integer after vxid");
        if (op is not (>= QueryOperator.NumEqual and <= QueryOperator.GreaterOrEqual)
            || !long.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var vxid))
        {
            throw new FormatException($"{where}: vxid compares with == != < <= > >= and an integer");
        }

        return new VxidNode(op, vxid);
    }

    private static QueryOperator Operator(QueryToken token) => token.Text switch
    {
        "==" => QueryOperator.NumEqual,
        "!=" => QueryOperator.NumNotEqual,
        "<" => QueryOperator.Less,
        "<=" => QueryOperator.LessOrEqual,
        ">" => QueryOperator.Greater,
        ">=" => QueryOperator.GreaterOrEqual,
        "eq" => QueryOperator.StringEqual,
        "ne" => QueryOperator.StringNotEqual,
        "~" => QueryOperator.Match,
        "!~" => QueryOperator.NoMatch,
        _ => throw new FormatException($"unknown operator '{token.Text}' at position {token.Position}"),
    };

    private bool IsWord(string word) =>
        _next < _tokens.Count && _tokens[_next].Kind == QueryTokenKind.Word && _tokens[_next].Text == word;

    private QueryToken Take(string what)
    {
        if (_next >= _tokens.Count)
        {
            throw new FormatException($"query ends where {what} was expected");
        }

        return _tokens[_next++];
    }
}
