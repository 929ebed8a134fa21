namespace Serving.LoadTests.Server;

/// <summary>A child process's stdout and stderr, appended to a file; lines that arrive after closing are dropped.</summary>
internal sealed class ProcessLog(string path) : IDisposable
{
    private readonly StreamWriter _writer = new(path, append: false) { AutoFlush = true };
    private bool _closed;

    public string Path { get; } = path;

    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_writer)
        {
            if (!_closed)
            {
                _writer.WriteLine(line);
            }
        }
    }

    public void Dispose()
    {
        lock (_writer)
        {
            _closed = true;
            _writer.Dispose();
        }
    }
}
