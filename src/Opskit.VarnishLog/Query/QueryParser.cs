using System.Globalization;

namespace Opskit.VarnishLog.Query;

/// <summary>Recursive descent over the tokens: <c>or</c> binds loosest, then <c>and</c>, then <c>not</c>.</summary>
internal sealed class QueryParser
{
    private readonly IReadOnlyList<QueryToken> _tokens;
    private readonly List<string> _tags = [];
    private int _next;

    public QueryParser(IReadOnlyList<QueryToken> tokens) => _tokens = tokens;

    /// <summary>Distinct tag names in order of first use; a comparison refers to its tag by index.</summary>
    public IReadOnlyList<string> Tags => _tags;

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

    private ComparisonNode ParseComparison(QueryToken lhs)
    {
        // Tag, Tag:Header, Tag[2], Tag:Header[2]
        var text = lhs.Text;
        var field = 0;
        var bracket = text.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            if (!text.EndsWith(']') || !int.TryParse(text.AsSpan(bracket + 1, text.Length - bracket - 2), NumberStyles.None, CultureInfo.InvariantCulture, out field) || field < 1)
            {
                throw new FormatException($"bad field index in '{text}' at position {lhs.Position} (fields count from 1)");
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
                throw new FormatException($"empty header name in '{lhs.Text}' at position {lhs.Position}");
            }
        }

        if (text is "and" or "or" or "not" || text.Length == 0 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new FormatException($"'{lhs.Text}' at position {lhs.Position} is not a tag");
        }

        var tag = _tags.IndexOf(text);
        if (tag < 0)
        {
            _tags.Add(text);
            tag = _tags.Count - 1;
        }

        if (_next >= _tokens.Count || _tokens[_next].Kind != QueryTokenKind.Operator)
        {
            return new ComparisonNode(tag, header, field, QueryOperator.Exists, string.Empty);
        }

        var op = _tokens[_next++];
        var value = Take("a value after '" + op.Text + "'");
        if (value.Kind is not (QueryTokenKind.Word or QueryTokenKind.Quoted))
        {
            throw new FormatException($"expected a value at position {value.Position}, found '{value.Text}'");
        }

        return new ComparisonNode(tag, header, field, Operator(op), value.Text);
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
