namespace Opskit.Testing;

/// <summary>Polls a condition until it holds or a timeout passes: the replacement for fixed sleeps in tests.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Returns true as soon as <paramref name="condition"/> holds; false after <paramref name="timeout"/>.</summary>
    public static async Task<bool> TryAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition().ConfigureAwait(false))
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>Same as <see cref="TryAsync(Func{Task{bool}}, TimeSpan)"/> for a synchronous condition.</summary>
    public static Task<bool> TryAsync(Func<bool> condition, TimeSpan timeout) =>
        TryAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>Waits for <paramref name="condition"/>; throws with <paramref name="what"/> when it never holds.</summary>
    public static Task AssertAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        AssertAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>
    /// Same as <see cref="AssertAsync(Func{bool}, TimeSpan, string)"/> for an asynchronous condition (an HTTP
    /// call, say), which must not block a thread-pool thread while it waits.
    /// </summary>
    public static async Task AssertAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        if (!await TryAsync(condition, timeout).ConfigureAwait(false))
        {
            throw new TimeoutException($"{what} did not happen within {timeout}");
        }
    }
}
