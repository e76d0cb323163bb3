using System.Text;

namespace Opskit.VarnishLog.Query;

internal enum QueryTokenKind
{
    Word,
    Quoted,
    Operator,
    Open,
    Close,
}

internal readonly record struct QueryToken(QueryTokenKind Kind, string Text, int Position);

/// <summary>Splits a query into words, quoted strings, operators and parentheses.</summary>
internal static class QueryLexer
{
    public static IReadOnlyList<QueryToken> Tokenize(string text)
    {
        var tokens = new List<QueryToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '(')
            {
                tokens.Add(new QueryToken(QueryTokenKind.Open, "(", i++));
            }
            else if (c == ')')
            {
                tokens.Add(new QueryToken(QueryTokenKind.Close, ")", i++));
            }
            else if (c is '"' or '\'')
            {
                var start = i++;
                var value = new StringBuilder();
                while (i < text.Length && text[i] != c)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }

                if (i >= text.Length)
                {
                    throw new FormatException($"unterminated string starting at position {start}");
                }

                i++;
                tokens.Add(new QueryToken(QueryTokenKind.Quoted, value.ToString(), start));
            }
            else if (c is '=' or '!' or '<' or '>' or '~')
            {
                var start = i;
                var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
                if (two is "==" or "!=" or "<=" or ">=" or "!~")
                {
                    i += 2;
                    tokens.Add(new QueryToken(QueryTokenKind.Operator, two, start));
                }
                else if (c is '<' or '>' or '~')
                {
                    i++;
                    tokens.Add(new QueryToken(QueryTokenKind.Operator, c.ToString(), start));
                }
                else
                {
                    throw new FormatException($"unknown operator '{c}' at position {start}");
                }
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '=' or '!' or '<' or '>' or '~' or '"' or '\''))
                {
                    i++;
                }

                var word = text[start..i];
                var kind = word is "eq" or "ne" ? QueryTokenKind.Operator : QueryTokenKind.Word;
                tokens.Add(new QueryToken(kind, word, start));
            }
        }

        return tokens;
    }
}
