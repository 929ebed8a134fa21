namespace Serving.Controller.Reconciling;

/// <summary>
/// The reconcilers' work queue, as client-go's: a key waits in the queue at most once however often it is added; a key
/// being processed is not handed out again until <see cref="Done"/>, and is queued again then if it was added meanwhile
/// (changes coalesce; one object is never reconciled twice at once); a failure requeues it after a per-key exponential
/// backoff (<see cref="AddRateLimited"/>) that <see cref="Forget"/> resets.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly HashSet<ITimer> _timers = [];
    private readonly TimeProvider _time;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    /// <param name="baseDelay">The first retry's delay (doubled per failure in a row).</param>
    /// <param name="maxDelay">The longest retry delay.</param>
    public WorkQueue(TimeProvider time, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
    {
        _time = time;
        _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(100);
        _maxDelay = maxDelay ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>Keys waiting (not counting those being processed).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public void Add(TKey key)
    {
        lock (_lock)
        {
            if (_disposed || !_dirty.Add(key) || _processing.Contains(key))
            {
                return;
            }

            _queue.Enqueue(key);
            SignalLocked();
        }
    }

    /// <summary>Adds the key once <paramref name="delay"/> has passed.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            ITimer? timer = null;
            timer = _time.CreateTimer(
                _ =>
                {
                    lock (_lock)
                    {
                        _timers.Remove(timer!);
                    }

                    timer!.Dispose();
                    Add(key);
                },
                null, delay, Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
        }
    }

    /// <summary>Adds the key again after a backoff that doubles with each failure in a row.</summary>
    public TimeSpan AddRateLimited(TKey key)
    {
        TimeSpan delay;
        lock (_lock)
        {
            int failures = _failures[key] = _failures.GetValueOrDefault(key) + 1;
            double ms = _baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
            delay = TimeSpan.FromMilliseconds(Math.Min(ms, _maxDelay.TotalMilliseconds));
        }

        AddAfter(key, delay);
        return delay;
    }

    /// <summary>The key succeeded: its next failure starts the backoff over.</summary>
    public void Forget(TKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>The next key to process; waits for one.</summary>
    public async ValueTask<TKey> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task added;
            lock (_lock)
            {
                if (TryTakeLocked(out var key))
                {
                    return key;
                }

                added = _added.Task;
            }

            await added.WaitAsync(cancellationToken);
        }
    }

    public bool TryTake(out TKey key)
    {
        lock (_lock)
        {
            return TryTakeLocked(out key);
        }
    }

    /// <summary>Processing of the key ended; it is queued again if it was added meanwhile.</summary>
    public void Done(TKey key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_disposed)
            {
                _queue.Enqueue(key);
                SignalLocked();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }
    }

    private bool TryTakeLocked(out TKey key)
    {
        if (_queue.TryDequeue(out key!))
        {
            _processing.Add(key);
            _dirty.Remove(key);
            return true;
        }

        return false;
    }

    private void SignalLocked()
    {
        var added = _added;
        _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        added.TrySetResult();
    }
}
