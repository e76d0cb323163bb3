using System.Text.RegularExpressions;

namespace Opskit.Edge.Profiles;

/// <summary>Where the profiles are: table, key column and an optional flag column (defaults as in the issue).</summary>
/// <param name="Table">Table name, default <c>user_profiles</c>.</param>
/// <param name="KeyColumn">Primary-key column holding the user id, default <c>profile_id</c>.</param>
/// <param name="FlagColumn">
/// A <c>has_profile</c>-style column: when the table has it, only rows where it is true (non-zero) count.
/// Default <c>has_profile</c>; empty disables the check.
/// </param>
public sealed partial record ProfileTableSchema(string Table = "user_profiles", string KeyColumn = "profile_id", string FlagColumn = "has_profile")
{
    /// <summary>Throws when a name is not a plain SQL identifier (names are quoted into SQL, so they are checked).</summary>
    public void Validate()
    {
        if (Error() is { } error)
        {
            throw new ArgumentException(error);
        }
    }

    /// <summary>The first invalid name as one sentence for the user (no exception wording), or null.</summary>
    public string? Error() =>
        Check(Table, "Table") ?? Check(KeyColumn, "Column") ?? (FlagColumn.Length > 0 ? Check(FlagColumn, "FlagColumn") : null);

    private static string? Check(string name, string setting) =>
        Identifier().IsMatch(name) ? null
        : $"{setting} '{name}' is not a plain SQL identifier (letters, digits and '_', not starting with a digit, at most 64 characters)";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex Identifier();
}
