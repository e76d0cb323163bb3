using System.Runtime.InteropServices;

namespace Opskit.ExecLog.Running;

/// <summary>Linux signal numbers and their names (without the SIG prefix), for records.</summary>
internal static class SignalNames
{
    private static readonly string[] Names =
    [
        "0", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
        "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    /// <summary>"TERM" for 15; "RTMIN+n" and plain numbers beyond.</summary>
    public static string Name(int signal) => signal switch
    {
        > 0 and < 32 => Names[signal],
        >= 34 and <= 64 => "RTMIN+" + (signal - 34).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The Linux number of a <see cref="PosixSignal"/> (named members are negative placeholders).</summary>
    public static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        _ => (int)signal > 0 ? (int)signal : 0,
    };
}
