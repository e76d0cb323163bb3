using Microsoft.Extensions.Configuration;

namespace Opskit.Edge.Configuration;

/// <summary>
/// The JSON configuration file, reloaded on change only when the new content parses and passes validation.
/// The stock <c>AddJsonFile(reloadOnChange: true)</c> empties the configuration when a reload fails (a half-written
/// file from an editor, a typo), which would drop every route; here the previous configuration stays in force and
/// the rejection is reported through <see cref="Rejected"/>.
/// </summary>
internal sealed class ValidatedJsonFile : IConfigurationSource
{
    private readonly string _path;
    private readonly Func<IConfiguration, IReadOnlyList<string>> _validate;

    public ValidatedJsonFile(string path, Func<IConfiguration, IReadOnlyList<string>> validate)
    {
        _path = Path.GetFullPath(path);
        _validate = validate;
    }

    /// <summary>Raised with the reason when a changed file is not applied.</summary>
    public event Action<string>? Rejected;

    /// <summary>Raised after a changed file was applied.</summary>
    public event Action? Applied;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this);

    /// <summary>Parses the file into flat configuration keys; throws <see cref="InvalidDataException"/> when it cannot.</summary>
    internal static Dictionary<string, string?> Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var parsed = new ConfigurationBuilder().AddJsonStream(stream).Build();
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in parsed.AsEnumerable())
            {
                if (value is not null)
                {
                    data[key] = value;
                }
            }

            return data;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"cannot read {path}: {ex.Message}", ex);
        }
    }

    private sealed class Provider : ConfigurationProvider, IDisposable
    {
        private readonly ValidatedJsonFile _source;
        private readonly FileSystemWatcher _watcher;
        private readonly Timer _debounce;

        public Provider(ValidatedJsonFile source)
        {
            _source = source;
            _debounce = new Timer(_ => TryReload(), null, Timeout.Infinite, Timeout.Infinite);
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(source._path)!, Path.GetFileName(source._path))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            _watcher.Changed += OnChanged;
            _watcher.Created += OnChanged;
            _watcher.Renamed += OnChanged;
        }

        public override void Load()
        {
            Data = Read(_source._path);
            _watcher.EnableRaisingEvents = true;
        }

        // Editors write in several steps: wait until the file has been quiet for 250 ms.
        private void OnChanged(object sender, FileSystemEventArgs e) => _debounce.Change(250, Timeout.Infinite);

        private void TryReload()
        {
            Dictionary<string, string?> data;
            try
            {
                data = Read(_source._path);
            }
            catch (InvalidDataException ex)
            {
                _source.Rejected?.Invoke(ex.Message);
                return;
            }

            var errors = _source._validate(new ConfigurationBuilder().AddInMemoryCollection(data).Build());
            if (errors.Count > 0)
            {
                _source.Rejected?.Invoke(string.Join("; ", errors));
                return;
            }

            Data = data;
            OnReload();
            _source.Applied?.Invoke();
        }

        public void Dispose()
        {
            _watcher.Dispose();
            _debounce.Dispose();
        }
    }
}
