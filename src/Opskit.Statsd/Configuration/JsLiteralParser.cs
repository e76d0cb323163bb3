using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Opskit.Statsd.Configuration;

/// <summary>
/// Reads an Etsy statsd configuration file. Etsy <c>eval</c>s it as JavaScript; we accept the subset config
/// files use: an object literal with unquoted or quoted keys, single/double/backtick strings, numbers (incl. hex,
/// Infinity), booleans, null/undefined, nested objects and arrays, comments and trailing commas, optionally
/// wrapped in parentheses or followed by <c>;</c>. JSON is a subset of that. Anything else (function calls such as
/// <c>require('os').hostname()</c>) fails with the line and column.
/// </summary>
internal sealed class JsLiteralParser
{
    private readonly string _text;
    private int _pos;

    private JsLiteralParser(string text) => _text = text;

    /// <summary>Parses the whole file into an object.</summary>
    /// <exception cref="FormatException">The text is not a supported object literal.</exception>
    public static JsonObject Parse(string text)
    {
        var parser = new JsLiteralParser(text);
        parser.SkipTrivia();
        var parens = 0;
        while (parser.Peek() == '(')
        {
            parser._pos++;
            parens++;
            parser.SkipTrivia();
        }

        if (parser.Peek() != '{')
        {
            throw parser.Error("expected '{' at the start of the configuration object");
        }

        var result = (JsonObject)parser.ParseValue()!;
        for (var i = 0; i < parens; i++)
        {
            parser.SkipTrivia();
            parser.Expect(')');
        }

        parser.SkipTrivia();
        while (parser.Peek() == ';')
        {
            parser._pos++;
            parser.SkipTrivia();
        }

        if (parser._pos < parser._text.Length)
        {
            throw parser.Error("unexpected text after the configuration object");
        }

        return result;
    }

    private JsonNode? ParseValue()
    {
        SkipTrivia();
        var c = Peek();
        switch (c)
        {
            case '{':
                return ParseObject();
            case '[':
                return ParseArray();
            case '"' or '\'' or '`':
                return JsonValue.Create(ParseString());
        }

        if (c is '-' or '+' or '.' || char.IsAsciiDigit(c))
        {
            return JsonValue.Create(ParseNumber());
        }

        var wordStart = _pos;
        var word = ParseIdentifier();
        if (word is not ("true" or "false" or "null" or "undefined" or "Infinity" or "NaN"))
        {
            _pos = wordStart;
        }

        return word switch
        {
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            "null" => null,
            "undefined" => Undefined,
            "Infinity" => JsonValue.Create(double.PositiveInfinity),
            "NaN" => JsonValue.Create(double.NaN),
            "" => throw Error($"unexpected '{(c == '\0' ? "end of file" : c.ToString())}'"),
            _ => throw Error($"'{word}' is not a literal value (expressions are not supported; write the value itself)"),
        };
    }

    // Marker for `undefined`: the property is left out, as `x !== undefined` is false in Etsy.
    private static readonly JsonValue Undefined = JsonValue.Create("\u0000undefined")!;

    private JsonObject ParseObject()
    {
        Expect('{');
        var result = new JsonObject();
        while (true)
        {
            SkipTrivia();
            if (Peek() == '}')
            {
                _pos++;
                return result;
            }

            string key;
            var c = Peek();
            if (c is '"' or '\'' or '`')
            {
                key = ParseString();
            }
            else if (char.IsAsciiDigit(c))
            {
                key = JsonValueText(ParseNumber());
            }
            else
            {
                key = ParseIdentifier();
                if (key.Length == 0)
                {
                    throw Error("expected a property name");
                }
            }

            SkipTrivia();
            Expect(':');
            var value = ParseValue();
            if (!ReferenceEquals(value, Undefined))
            {
                // Later duplicates win, as in JavaScript.
                result.Remove(key);
                result[key] = value;
            }

            SkipTrivia();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            SkipTrivia();
            if (Peek() != '}')
            {
                throw Error("expected ',' or '}' in object");
            }
        }
    }

    private JsonArray ParseArray()
    {
        Expect('[');
        var result = new JsonArray();
        while (true)
        {
            SkipTrivia();
            if (Peek() == ']')
            {
                _pos++;
                return result;
            }

            var value = ParseValue();
            result.Add(ReferenceEquals(value, Undefined) ? null : value);
            SkipTrivia();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            if (Peek() != ']')
            {
                throw Error("expected ',' or ']' in array");
            }
        }
    }

    private string ParseString()
    {
        var quote = _text[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var c = _text[_pos++];
            if (c == quote)
            {
                return sb.ToString();
            }

            if (quote == '`' && c == '$' && Peek() == '{')
            {
                throw Error("template substitutions are not supported");
            }

            if (c != '\\')
            {
                if (c == '\n' && quote != '`')
                {
                    throw Error("newline in string");
                }

                sb.Append(c);
                continue;
            }

            if (_pos >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var e = _text[_pos++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '0': sb.Append('\0'); break;
                case '\n': break; // line continuation
                case 'x': sb.Append((char)Hex(2)); break;
                case 'u': sb.Append((char)Hex(4)); break;
                default: sb.Append(e); break;
            }
        }
    }

    private int Hex(int digits)
    {
        if (_pos + digits > _text.Length
            || !int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw Error("bad escape in string");
        }

        _pos += digits;
        return value;
    }

    private double ParseNumber()
    {
        var start = _pos;
        var sign = 1.0;
        if (Peek() is '-' or '+')
        {
            sign = Peek() == '-' ? -1 : 1;
            _pos++;
            SkipTrivia();
        }

        if (string.CompareOrdinal(_text, _pos, "Infinity", 0, 8) == 0)
        {
            _pos += 8;
            return sign * double.PositiveInfinity;
        }

        var numberStart = _pos;
        if (Peek() == '0' && _pos + 1 < _text.Length && (_text[_pos + 1] | 0x20) is 'x' or 'o' or 'b')
        {
            _pos += 2;
            while (_pos < _text.Length && char.IsAsciiHexDigit(_text[_pos]))
            {
                _pos++;
            }
        }
        else
        {
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '.' or 'e' or 'E' or '_'
                || (_text[_pos] is '+' or '-' && (_text[_pos - 1] | 0x20) == 'e')))
            {
                _pos++;
            }
        }

        var literal = _text[numberStart.._pos].Replace("_", string.Empty, StringComparison.Ordinal);
        if (!Protocol.JsNumber.TryParse(Encoding.ASCII.GetBytes(literal), out var value) || literal.Length == 0)
        {
            _pos = start;
            throw Error($"bad number '{literal}'");
        }

        return sign * value;
    }

    private string ParseIdentifier()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '$'))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private void SkipTrivia()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (char.IsWhiteSpace(c) || c == '\uFEFF')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                var end = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Error("unterminated comment");
                }

                _pos = end + 2;
            }
            else
            {
                return;
            }
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"expected '{c}'");
        }

        _pos++;
    }

    private static string JsonValueText(double value) => Protocol.JsNumber.ToJsString(value);

    private FormatException Error(string message)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < _pos && i < _text.Length; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return new FormatException($"line {line}, column {column}: {message}");
    }
}
