using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serving.Gateway.Routing;

namespace Serving.Gateway.Graph;

/// <summary>
/// Runs a compiled graph with the semantics of KServe's router (kserve-api.md §4.4): Sequence, Splitter, Ensemble and
/// Switch, Soft/Hard dependencies, its status rules. Unlike the router, the request's cancellation reaches every
/// branch, and an Ensemble that returns early cancels its remaining steps and waits for them, so no work outlives
/// the request.
/// </summary>
internal sealed class GraphExecutor(StepCaller caller, [FromKeyedServices(GraphExecutor.SplitterDrawKey)] ITrafficDraw splitterDraw)
{
    /// <summary>The DI key of the Splitter's draw, apart from the canary draw so each can be made exact in tests.</summary>
    public const string SplitterDrawKey = "graph-splitter";

    public const string NoSwitchMatch = "None of the routes matched with the switch condition";

    public Task<StepResult> RunAsync(GraphCall call, byte[] input, CancellationToken cancellationToken) =>
        RunNodeAsync(call.Graph.Root, input, call, cancellationToken);

    private Task<StepResult> RunNodeAsync(GraphNode node, byte[] input, GraphCall call, CancellationToken cancellationToken) => node.Kind switch
    {
        RouterKind.Sequence => SequenceAsync(node, input, call, cancellationToken),
        RouterKind.Splitter => SplitterAsync(node, input, call, cancellationToken),
        RouterKind.Ensemble => EnsembleAsync(node, input, call, cancellationToken),
        RouterKind.Switch => SwitchAsync(node, input, call, cancellationToken),
        _ => throw new GraphFailure(500, $"invalid route type: {node.Kind}"),
    };

    /// <summary>A step's answer; any failure below it is a 500 for this node, as in KServe (our timeouts keep their 504).</summary>
    private async Task<StepResult> ExecuteStepAsync(GraphNode node, GraphStep step, byte[] input, GraphCall call, CancellationToken cancellationToken)
    {
        try
        {
            return step.Target is NodeTarget target
                ? await RunNodeAsync(call.Graph.Nodes[target.Node], input, call, cancellationToken)
                : await caller.CallAsync(node, step, input, call, cancellationToken);
        }
        catch (GraphFailure failure) when (failure.Status != 500 && !failure.KeepStatus)
        {
            throw new GraphFailure(500, failure.Message);
        }
    }

    /// <summary>
    /// Steps in order. Each gets the node's input, or the previous response for <c>data: $response</c>; a condition is
    /// tested on the previous response (not JSON: 500; not met: stop with that response and 200); a Hard step that
    /// fails stops the sequence with its answer. The last step's body and status are the node's.
    /// </summary>
    private async Task<StepResult> SequenceAsync(GraphNode node, byte[] input, GraphCall call, CancellationToken cancellationToken)
    {
        var last = new StepResult(0, []);
        GraphStep? previous = null;
        foreach (var step in node.Steps)
        {
            byte[] request = step.DataIsResponse && step.Index > 0 ? last.Body : input;
            if (step.MapPredictionsToInstances)
            {
                request = JsonBytes.PredictionsToInstances(request);
            }

            if (step.Condition is { } condition)
            {
                using var document = JsonBytes.TryParse(last.Body)
                    ?? throw new GraphFailure(500, $"invalid response: step '{previous?.Key}' of node '{node.Name}' did not answer JSON, so the condition of step '{step.Key}' cannot be tested");
                if (!condition.Exists(document.RootElement))
                {
                    return last with { Status = 200 };
                }
            }

            last = await ExecuteStepAsync(node, step, request, call, cancellationToken);
            previous = step;
            if (step.Hard && !last.IsSuccess)
            {
                return last;
            }
        }

        return last;
    }

    /// <summary>One step by weight: a draw in [0, 100) against the cumulative weights; its answer as is.</summary>
    private Task<StepResult> SplitterAsync(GraphNode node, byte[] input, GraphCall call, CancellationToken cancellationToken)
    {
        int draw = splitterDraw.Next();
        int end = 0;
        foreach (var step in node.Steps)
        {
            end += step.Weight;
            if (draw < end)
            {
                return ExecuteStepAsync(node, step, input, call, cancellationToken);
            }
        }

        throw new GraphFailure(500, "no route was selected by the splitter");
    }

    /// <summary>The first step whose condition holds on the node's input (JSON); none: 404.</summary>
    private Task<StepResult> SwitchAsync(GraphNode node, byte[] input, GraphCall call, CancellationToken cancellationToken)
    {
        GraphStep? chosen = null;
        using (var document = JsonBytes.TryParse(input))
        {
            if (document is not null)
            {
                chosen = node.Steps.FirstOrDefault(s => s.Condition!.Exists(document.RootElement));
            }
        }

        return chosen is null
            ? throw new GraphFailure(404, NoSwitchMatch)
            : ExecuteStepAsync(node, chosen, input, call, cancellationToken);
    }

    /// <summary>
    /// Every step at once on the node's input. Results are taken in step order, while a failure of any step ends the node
    /// at once with 500 (KServe's shared error channel); each answer must be a JSON object; a Hard step that fails
    /// answers for the node. Otherwise <c>{"step name or index": answer, ...}</c> with 200. On any early end, the
    /// remaining steps are cancelled and awaited before returning.
    /// </summary>
    private async Task<StepResult> EnsembleAsync(GraphNode node, byte[] input, GraphCall call, CancellationToken cancellationToken)
    {
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var failed = new TaskCompletionSource<GraphFailure>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = node.Steps.Select(step => EnsembleStepAsync(node, step, input, call, failed, siblings.Token)).ToArray();
        try
        {
            var answers = new SortedDictionary<string, byte[]>(StringComparer.Ordinal); // Go's json.Marshal sorts map keys
            for (int i = 0; i < tasks.Length; i++)
            {
                await Task.WhenAny(tasks[i], failed.Task);
                if (!tasks[i].IsCompleted)
                {
                    throw await failed.Task;
                }

                var answer = await tasks[i] ?? throw await failed.Task;
                if (node.Steps[i].Hard && !answer.IsSuccess)
                {
                    return answer;
                }

                answers[node.Steps[i].Key] = answer.Body;
            }

            return new StepResult(200, GraphResponses.Json(w =>
            {
                foreach (var (key, body) in answers)
                {
                    w.WritePropertyName(key);
                    w.WriteRawValue(body, skipInputValidation: true);
                }
            }));
        }
        finally
        {
            await siblings.CancelAsync();
            await ((Task)Task.WhenAll(tasks)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>A step's answer if it is a JSON object; otherwise the failure is published for the node and null returned.</summary>
    private async Task<StepResult?> EnsembleStepAsync(
        GraphNode node, GraphStep step, byte[] input, GraphCall call, TaskCompletionSource<GraphFailure> failed, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await ExecuteStepAsync(node, step, input, call, cancellationToken);
            using var document = JsonBytes.TryParse(answer.Body);
            if (document?.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new GraphFailure(500, $"step '{step.Key}' of ensemble node '{node.Name}' answered {answer.Status} with a body that is not a JSON object");
            }

            return answer;
        }
        catch (GraphFailure failure)
        {
            failed.TrySetResult(failure);
            return null;
        }
    }
}
