using Serving.Runtime.Tensors;

namespace Serving.Runtime.Execution;

/// <summary>Runs a model on bound inputs (model order) and returns every output (model order).</summary>
public interface IModelExecutor : IAsyncDisposable
{
    ValueTask<Tensor[]> RunAsync(Tensor[] inputs, CancellationToken cancellationToken);
}
