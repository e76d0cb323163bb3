using System.Runtime.Versioning;

// The wrapper and its tests are Linux-only (posix_spawn, /proc, Unix sockets).
[assembly: SupportedOSPlatform("linux")]
