using Opskit.Testing;

namespace Opskit.PgTop.Tests.Settings;

public sealed class PasswordFileTests(PgFixture pg)
{
    [Fact(Timeout = 120_000)]
    public async Task Password_comes_from_pgpass_or_pgpassword_and_is_never_printed()
    {
        var role = PgFixture.Unique("pw_user");
        const string Password = "pw-Secret-42";
        await using (var admin = await pg.OpenAsync())
        {
            await PgFixture.ExecuteAsync(admin, $"CREATE ROLE {role} LOGIN PASSWORD '{Password}'");
            // This role alone must authenticate with a password; everyone else stays on trust.
            var hba = Path.Combine(pg.Server.DataDirectory, "pg_hba.conf");
            await File.WriteAllTextAsync(hba, $"host all {role} 127.0.0.1/32 scram-sha-256\n" + await File.ReadAllTextAsync(hba, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
            await PgFixture.ExecuteAsync(admin, "SELECT pg_reload_conf()");
        }

        using var home = new TempDirectory();
        string[] args = ["--once", "--format", "json", "-h", "127.0.0.1", "-p", pg.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", role, "-d", "postgres"];
        await Eventually.AssertAsync(
            async () => (await PgTopProcess.RunAsync(args, new Dictionary<string, string> { ["HOME"] = home.Path })).ExitCode == 1,
            TimeSpan.FromSeconds(30),
            "without a password the connection is refused (exit 1)");

        await File.WriteAllTextAsync(home.File(".pgpass"), $"127.0.0.1:{pg.Server.Port}:*:{role}:{Password}\n", TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home.File(".pgpass"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var (code, stdout, stderr) = await PgTopProcess.RunAsync(args, new Dictionary<string, string> { ["HOME"] = home.Path });
        Assert.True(code == 0, $"~/.pgpass: exit {code}: {stderr}");
        Assert.DoesNotContain(Password, stdout + stderr, StringComparison.Ordinal);

        (code, stdout, stderr) = await PgTopProcess.RunAsync(args, new Dictionary<string, string> { ["PGPASSWORD"] = Password });
        Assert.True(code == 0, $"PGPASSWORD: exit {code}: {stderr}");
        Assert.DoesNotContain(Password, stdout + stderr, StringComparison.Ordinal);

        (code, stdout, stderr) = await PgTopProcess.RunAsync(args, new Dictionary<string, string> { ["PGPASSWORD"] = "wrong" });
        Assert.Equal(1, code);
        Assert.Contains("password authentication failed", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", stderr.Replace("password authentication failed", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
