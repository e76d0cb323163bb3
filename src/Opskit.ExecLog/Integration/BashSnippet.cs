namespace Opskit.ExecLog.Integration;

/// <summary>
/// <c>opskit execlog bash-snippet</c>: the seed's DEBUG trap, made safe. The weaker option: it sees only
/// commands typed into (or fed to) an interactive bash, and anyone running the shell can turn it off.
/// </summary>
internal static class BashSnippet
{
    /// <summary>The snippet for <c>.bashrc</c>; <paramref name="priority"/> and <paramref name="tag"/> as logger takes them.</summary>
    public static string Render(string priority, string tag) => $$"""
        # opskit execlog bash-snippet: log each command an interactive bash runs, and its exit status.
        # Weaker than `opskit execlog -- COMMAND`: only interactive shells read .bashrc, the user can unset it,
        # and it records no duration, CPU time or output. Needs bash 4.4+ (${var@Q}) and logger(1).
        # ${BASH_COMMAND@Q} quotes control characters as $'\n', so an argument cannot forge a log line.
        __opskit_execlog_cmd=
        __opskit_execlog_debug() {
          case $BASH_COMMAND in __opskit_execlog_*) return ;; esac
          [[ -n ${COMP_LINE-} ]] && return
          __opskit_execlog_cmd=$BASH_COMMAND
          logger -p {{priority}} -t {{tag}} -- "run user=${USER-} uid=$UID pid=$$ cwd=${PWD@Q} cmd=${__opskit_execlog_cmd@Q}"
        }
        __opskit_execlog_status() {
          local status=$?
          if [[ -n $__opskit_execlog_cmd ]]; then
            logger -p {{priority}} -t {{tag}} -- "done user=${USER-} uid=$UID pid=$$ exit=$status cmd=${__opskit_execlog_cmd@Q}"
            __opskit_execlog_cmd=
          fi
          return $status
        }
        PROMPT_COMMAND="__opskit_execlog_status${PROMPT_COMMAND:+; $PROMPT_COMMAND}"
        trap '__opskit_execlog_debug' DEBUG

        """;
}
