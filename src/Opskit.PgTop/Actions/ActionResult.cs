namespace Opskit.PgTop.Actions;

/// <summary>The outcome of an action on one backend, as one line for the screen.</summary>
internal sealed record ActionResult(int Pid, bool Succeeded, string Message);
