using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace TileServer.Testing;

/// <summary>
/// Real storage servers on loopback for the tile-archive tests, each started by the test and stopped when disposed:
/// an S3-compatible store (npm <c>s3rver</c> 3.7.1, pinned in <c>tests/object-storage</c>) and a static file server
/// that answers range requests (nginx from Debian). Both are installed by <c>.ci/run</c>.
/// </summary>
internal static class ObjectStores
{
    public static string? RepositoryRoot { get; } = FindRoot();

    public static string? S3rverFolder => RepositoryRoot is null ? null : Path.Combine(RepositoryRoot, "tests", "object-storage");

    /// <summary>Why the s3rver tests cannot run here, or null.</summary>
    public static string? S3rverSkipReason { get; } =
        S3rverFolder is null ? "tests/object-storage not found beside the test assembly's repository"
        : !Directory.Exists(Path.Combine(S3rverFolder, "node_modules", "s3rver")) ? $"npm packages missing: run 'npm ci' in {S3rverFolder} (.ci/run does)"
        : Which("node") is null ? "node is not on the PATH: the S3 tests need it to run s3rver"
        : null;

    /// <summary>Why the nginx tests cannot run here, or null.</summary>
    public static string? NginxSkipReason { get; } = Nginx is null ? "nginx is not installed (apt-get install nginx; .ci/run does)" : null;

    /// <summary>The nginx program (Debian installs it in /usr/sbin, which a non-root PATH may lack), or null.</summary>
    public static string? Nginx => Which("nginx") ?? (File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null);

    public static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    /// <summary>A port free on loopback now (the server binds it right after; the window for a clash is small).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

/// <summary>
/// s3rver on 127.0.0.1 (a free port) over a temporary folder, with one bucket; credentials <c>S3RVER</c>/<c>S3RVER</c>.
/// It stops when its standard input closes (<see cref="Dispose"/>), and is killed if it does not.
/// </summary>
internal sealed class S3rverProcess : IDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly Process _process;
    private readonly string _folder;

    public S3rverProcess(string bucket)
    {
        Bucket = bucket;
        _folder = Directory.CreateTempSubdirectory("s3rver-").FullName;
        var start = new ProcessStartInfo("node", [Path.Combine(ObjectStores.S3rverFolder!, "serve.mjs"), _folder, bucket])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ObjectStores.S3rverFolder!,
        };
        _process = Process.Start(start)!;
        // Node starts in well under a second on an idle machine; the bound is for a shared 2-core one under full load.
        var line = _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120)).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException($"s3rver did not start: {_process.StandardError.ReadToEnd()}");
        using var ready = JsonDocument.Parse(line);
        Endpoint = new Uri($"http://127.0.0.1:{ready.RootElement.GetProperty("port").GetInt32()}");
    }

    public string Bucket { get; }

    /// <summary>The store's endpoint (<c>Tiles:S3:ServiceUrl</c>).</summary>
    public Uri Endpoint { get; }

    /// <summary>Stores <paramref name="bytes"/> as <paramref name="key"/> (an anonymous PUT, which s3rver accepts), replacing what was there.</summary>
    public void Put(string key, byte[] bytes)
    {
        using var client = new HttpClient();
        using var content = new ByteArrayContent(bytes);
        using var response = client.PutAsync(new Uri(Endpoint, $"{Bucket}/{key}"), content).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_folder, recursive: true);
        }
    }
}

/// <summary>
/// nginx as a plain static file server on 127.0.0.1 (a free port) over a temporary folder: one process in the
/// foreground (<c>master_process off</c>), every path it writes inside the folder, killed when disposed. It answers
/// ranges with a strong ETag (modification time and length) and honours <c>If-Match</c>.
/// </summary>
internal sealed class NginxStaticServer : IDisposable
{
    private readonly Process _process;
    private bool _disposed;

    public NginxStaticServer()
    {
        Folder = Directory.CreateTempSubdirectory("nginx-").FullName;
        Root = Directory.CreateDirectory(Path.Combine(Folder, "www")).FullName;
        var port = ObjectStores.FreePort();
        var config = Path.Combine(Folder, "nginx.conf");
        File.WriteAllText(config, $$"""
            daemon off;
            master_process off;
            pid {{Folder}}/nginx.pid;
            error_log {{Folder}}/error.log warn;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{Folder}}/body;
                proxy_temp_path {{Folder}}/proxy;
                fastcgi_temp_path {{Folder}}/fastcgi;
                uwsgi_temp_path {{Folder}}/uwsgi;
                scgi_temp_path {{Folder}}/scgi;
                server {
                    listen 127.0.0.1:{{port}};
                    root {{Root}};
                }
            }
            """);
        _process = Process.Start(new ProcessStartInfo(ObjectStores.Nginx!, ["-p", Folder, "-c", config, "-e", Path.Combine(Folder, "error.log")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        WaitUntilListening(port);
    }

    public string Folder { get; }

    /// <summary>The folder served at <see cref="BaseUrl"/>.</summary>
    public string Root { get; }

    public Uri BaseUrl { get; }

    /// <summary>Stops nginx and deletes its folder; a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(Folder, recursive: true);
        }
    }

    private void WaitUntilListening(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nginx stopped at start: {File.ReadAllText(Path.Combine(Folder, "error.log"))}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException("nginx did not listen within 20 s");
    }
}

/// <summary>A fact that needs s3rver (node and <c>tests/object-storage</c>'s packages); skipped, saying why, without them.</summary>
internal sealed class S3rverFactAttribute : FactAttribute
{
    public S3rverFactAttribute()
    {
        if (ObjectStores.S3rverSkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that needs nginx; skipped, saying why, without it.</summary>
internal sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        if (ObjectStores.NginxSkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
