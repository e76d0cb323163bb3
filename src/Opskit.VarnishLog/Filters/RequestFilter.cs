using System.Text.RegularExpressions;
using Opskit.VarnishLog.Parsing;
using Opskit.VarnishLog.Query;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Filters;

/// <summary>
/// The compiled filters: every configured one must accept a request. Regexes are compiled once at start, so a bad
/// one is an error before any input is read.
/// </summary>
internal sealed class RequestFilter
{
    private readonly RegexInput _input = new();
    private readonly Pattern? _client;
    private readonly Pattern? _method;
    private readonly Pattern? _url;
    private readonly Pattern? _status;
    private readonly Pattern? _requestHeaders;
    private readonly Pattern? _responseHeaders;
    private readonly bool _onlyHits;
    private readonly bool _onlyMisses;
    private readonly double? _slowMs;
    private readonly byte[] _statusLine = new byte[1024];

    /// <summary>Compiles <paramref name="settings"/>; <see cref="FormatException"/> for an invalid regex or query.</summary>
    public RequestFilter(FilterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _client = Pattern.Create(settings.ClientMatch, "client_match");
        _method = Pattern.Create(settings.ReqMethod, "req_method");
        _url = Pattern.Create(settings.UrlMatch, "url_match");
        _status = Pattern.Create(settings.OnlyStatus, "only_status");
        _requestHeaders = Pattern.Create(settings.ReqHeadersMatch, "req_headers_match");
        _responseHeaders = Pattern.Create(settings.RespHeadersMatch, "resp_headers_match");
        _onlyHits = settings.OnlyHits;
        _onlyMisses = settings.OnlyMisses;
        _slowMs = settings.OnlySlow;
        Query = string.IsNullOrWhiteSpace(settings.Query) ? null : VslQuery.Parse(settings.Query);
    }

    public VslQuery? Query { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Accepts(RequestRecord record)
    {
        if (_onlyHits && record.Handling != Handling.Hit)
        {
            return false;
        }

        if (_onlyMisses && !HandlingNames.IsMiss(record.Handling))
        {
            return false;
        }

        if (_slowMs is { } slow)
        {
            // The original compares ReqEnd's processing time (until the response was ready), not the total.
            var ms = double.IsNaN(record.ProcessMs) ? record.TotalMs : record.ProcessMs;
            if (!(ms >= slow))
            {
                return false;
            }
        }

        return Matches(_client, record[record.Client])
            && Matches(_method, record[record.Method])
            && Matches(_url, record[record.Url])
            && (_status is null || Matches(_status, StatusLine(record)))
            && MatchesAny(_requestHeaders, record, record.RequestHeaders)
            && MatchesAny(_responseHeaders, record, record.ResponseHeaders)
            && (Query is null || Query.Matches(record, _input));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> StatusLine(RequestRecord record)
    {
        // The original matches only_status against "STATUS REASON", as it prints it.
        var length = 0;
        if (record.Status >= 0)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(record.Status, _statusLine, out length);
        }

        var reason = record[record.Reason];
        if (record.Reason.IsSet && length + 1 + reason.Length <= _statusLine.Length)
        {
            _statusLine[length++] = (byte)' ';
            reason.CopyTo(_statusLine.AsSpan(length));
            length += reason.Length;
        }

        return _statusLine.AsSpan(0, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Matches(Pattern? pattern, ReadOnlySpan<byte> value) =>
        pattern is null || _input.IsMatch(pattern.Regex, value) != pattern.Negated;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool MatchesAny(Pattern? pattern, RequestRecord record, List<Slice> headers)
    {
        if (pattern is null)
        {
            return true;
        }

        var any = false;
        foreach (var header in headers)
        {
            if (_input.IsMatch(pattern.Regex, record[header]))
            {
                any = true;
                break;
            }
        }

        return any != pattern.Negated;
    }

    private sealed record Pattern(Regex Regex, bool Negated)
    {
        public static Pattern? Create(string? text, string option)
        {
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            var negated = text[0] == '!';
            return new Pattern(RegexInput.Compile(negated ? text[1..] : text, option), negated);
        }
    }
}
