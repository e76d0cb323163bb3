using Opskit.Statsd.Admin;

namespace Opskit.Statsd.Tests.Admin;

/// <summary>Expected strings were produced by Node.js 20 <c>util.inspect</c> on the same values.</summary>
public sealed class JsInspectTests
{
    private static JsObject Obj(params (string Key, object? Value)[] entries)
    {
        var o = new JsObject();
        foreach (var (key, value) in entries)
        {
            o.Add(key, value);
        }

        return o;
    }

    private static object?[] Numbers(IEnumerable<double> values) => values.Select(v => (object?)v).ToArray();

    [Fact]
    public void Default_counters_break_into_lines_like_node()
    {
        var o = Obj(("statsd.bad_lines_seen", 0.0), ("statsd.packets_received", 0.0), ("statsd.metrics_received", 0.0));
        Assert.Equal("{\n  'statsd.bad_lines_seen': 0,\n  'statsd.packets_received': 0,\n  'statsd.metrics_received': 0\n}", JsInspect.Format(o));
    }

    [Fact]
    public void Keys_are_quoted_only_when_not_identifiers()
    {
        var o = Obj(("statsd.bad_lines_seen", 0.0), ("statsd.packets_received", 10.0), ("statsd.metrics_received", 12.0), ("a.b", 3.5), ("foo", 1.0), ("some.longer.counter.name", 0.1));
        Assert.Equal("{\n  'statsd.bad_lines_seen': 0,\n  'statsd.packets_received': 10,\n  'statsd.metrics_received': 12,\n  'a.b': 3.5,\n  foo: 1,\n  'some.longer.counter.name': 0.1\n}", JsInspect.Format(o));
    }

    [Fact]
    public void Long_number_arrays_are_grouped_in_columns()
    {
        var o = Obj(("t", Numbers(Enumerable.Range(1, 30).Select(i => (double)i))), ("x", Numbers([100, 200])));
        Assert.Equal("{\n  t: [\n     1,  2,  3,  4,  5,  6,  7,  8,  9,\n    10, 11, 12, 13, 14, 15, 16, 17, 18,\n    19, 20, 21, 22, 23, 24, 25, 26, 27,\n    28, 29, 30\n  ],\n  x: [ 100, 200 ]\n}", JsInspect.Format(o));
    }

    [Fact]
    public void Empty_object_and_integer_keys_first()
    {
        Assert.Equal("{}", JsInspect.Format(new JsObject()));
        var o = Obj(("123", 1.0), ("b", 2.0), ("1", 3.0), ("it's", 4.0));
        Assert.Equal("{ '1': 3, '123': 1, b: 2, \"it's\": 4 }", JsInspect.Format(o));
    }

    [Fact]
    public void Mixed_width_arrays_pad_like_node()
    {
        var a = Numbers([1.5, 22, 333, 4444, 55555, 666666, 7777777, 1, 2]);
        Assert.Equal("[\n      1.5,     22,\n      333,   4444,\n    55555, 666666,\n  7777777,      1,\n        2\n]", JsInspect.Format(a));
    }

    [Fact]
    public void Arrays_over_a_hundred_items_are_cut()
    {
        var o = Obj(("a", Numbers(Enumerable.Range(0, 120).Select(i => i * 1.5))));
        Assert.Equal("{\n  a: [\n      0,   1.5,   3,   4.5,   6,   7.5,   9,  10.5,  12,  13.5,\n     15,  16.5,  18,  19.5,  21,  22.5,  24,  25.5,  27,  28.5,\n     30,  31.5,  33,  34.5,  36,  37.5,  39,  40.5,  42,  43.5,\n     45,  46.5,  48,  49.5,  51,  52.5,  54,  55.5,  57,  58.5,\n     60,  61.5,  63,  64.5,  66,  67.5,  69,  70.5,  72,  73.5,\n     75,  76.5,  78,  79.5,  81,  82.5,  84,  85.5,  87,  88.5,\n     90,  91.5,  93,  94.5,  96,  97.5,  99, 100.5, 102, 103.5,\n    105, 106.5, 108, 109.5, 111, 112.5, 114, 115.5, 117, 118.5,\n    120, 121.5, 123, 124.5, 126, 127.5, 129, 130.5, 132, 133.5,\n    135, 136.5, 138, 139.5, 141, 142.5, 144, 145.5, 147, 148.5,\n    ... 20 more items\n  ]\n}", JsInspect.Format(o));
    }

    [Fact]
    public void Nesting_stops_at_depth_two()
    {
        var o = Obj(("counters", Obj(("a", 1.0))), ("timers", Obj(("t", Numbers([1, 2])))), ("nested", Obj(("x", Obj(("y", Obj(("z", Obj(("w", 1.0))))))))));
        Assert.Equal("{\n  counters: { a: 1 },\n  timers: { t: [ 1, 2 ] },\n  nested: { x: { y: [Object] } }\n}", JsInspect.Format(o));
    }
}
