using Opskit.Testing;

namespace Opskit.PgTop.Tests.Terminal;

/// <summary>A tmux server of its own (own socket) running one command in a detached session of a given size.</summary>
internal sealed class Tmux : IAsyncDisposable
{
    private readonly string _tmux;
    private readonly string _socket = $"opskit-pgtop-{Guid.NewGuid():N}";

    private Tmux(string tmux) => _tmux = tmux;

    public static async Task<Tmux> StartAsync(IEnumerable<string> command, int width, int height, IReadOnlyDictionary<string, string> environment)
    {
        var tmux = new Tmux(ExternalProgram.Require("tmux", "apt: tmux"));
        var env = environment.Select(kv => $"{kv.Key}={Quote(kv.Value)}");
        // `exec env ...` so the program is the pane's process; remain-on-exit keeps the pane to read the exit status.
        var shell = $"exec env {string.Join(' ', env)} {string.Join(' ', command.Select(Quote))}";
        await tmux.RunAsync("new-session", "-d", "-s", "t", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), shell);
        await tmux.RunAsync("set-option", "-t", "t", "remain-on-exit", "on");
        return tmux;
    }

    public Task<string> CaptureAsync() => RunAsync("capture-pane", "-p", "-t", "t");

    public Task SendAsync(params string[] keys) => RunAsync(["send-keys", "-t", "t", .. keys]);

    public Task ResizeAsync(int width, int height) =>
        RunAsync("resize-window", "-t", "t", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task<bool> PaneDeadAsync() => (await RunAsync("display-message", "-p", "-t", "t", "#{pane_dead}")).Trim() == "1";

    /// <summary>Waits until the screen shows <paramref name="text"/>; the assertion message has the last screen.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan? timeout = null) => await WaitForAsync(s => s.Contains(text, StringComparison.Ordinal), text, timeout);

    public async Task<string> WaitForAsync(Func<string, bool> condition, string what, TimeSpan? timeout = null)
    {
        var screen = string.Empty;
        var ok = await Eventually.TryAsync(
            async () =>
            {
                screen = await CaptureAsync();
                return condition(screen);
            },
            timeout ?? TimeSpan.FromSeconds(60));
        Assert.True(ok, $"the screen never showed {what}; last screen:\n{screen}");
        return screen;
    }

    private async Task<string> RunAsync(params string[] arguments)
    {
        var (code, output) = await ProgramRun.RunAsync(_tmux, ["-L", _socket, .. arguments], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"tmux {string.Join(' ', arguments)} failed: {output}");
        return output;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ProgramRun.RunAsync(_tmux, ["-L", _socket, "kill-server"], TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
        }
    }
}
