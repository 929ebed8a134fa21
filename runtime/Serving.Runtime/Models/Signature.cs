using Serving.Runtime.Protocol;
using Serving.Runtime.Tensors;

namespace Serving.Runtime.Models;

/// <summary>Checks request tensors against a model's inputs and puts them in the model's order.</summary>
internal static class Signature
{
    public static Tensor[] BindInputs(OnnxModel model, IReadOnlyList<Tensor> given)
    {
        var bound = new Tensor[model.Inputs.Count];
        foreach (var tensor in given)
        {
            int index = model.InputIndex(tensor.Name);
            if (index < 0)
            {
                throw InferenceException.BadInput(
                    $"unknown input '{tensor.Name}' for model {model.Name}; expected inputs: {Names(model.Inputs)}");
            }

            if (bound[index] is not null)
            {
                throw InferenceException.BadInput($"input '{tensor.Name}' is given more than once");
            }

            Check(model, model.Inputs[index], tensor);
            bound[index] = tensor;
        }

        for (int i = 0; i < bound.Length; i++)
        {
            if (bound[i] is null)
            {
                throw InferenceException.BadInput(
                    $"missing input '{model.Inputs[i].Name}' for model {model.Name}; expected inputs: {Names(model.Inputs)}");
            }
        }

        return bound;
    }

    /// <summary>Indexes of the requested outputs, or every output when none are named.</summary>
    public static int[] SelectOutputs(OnnxModel model, IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return [.. Enumerable.Range(0, model.Outputs.Count)];
        }

        var indexes = new int[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            indexes[i] = model.OutputIndex(names[i]);
            if (indexes[i] < 0)
            {
                throw InferenceException.BadInput(
                    $"unknown output '{names[i]}' for model {model.Name}; model outputs: {Names(model.Outputs)}");
            }
        }

        return indexes;
    }

    private static void Check(OnnxModel model, TensorSpec spec, Tensor tensor)
    {
        if (tensor.DataType != spec.DataType)
        {
            throw InferenceException.BadInput(
                $"input '{tensor.Name}' has datatype {tensor.DataType.WireName()}, model {model.Name} expects {spec.DataType.WireName()}");
        }

        bool fits = tensor.Shape.Length == spec.Shape.Length;
        for (int d = 0; fits && d < spec.Shape.Length; d++)
        {
            fits = spec.Shape[d] < 0 || spec.Shape[d] == tensor.Shape[d];
        }

        if (!fits)
        {
            throw InferenceException.BadInput(
                $"input '{tensor.Name}' has shape {Shapes.Format(tensor.Shape)}, model {model.Name} expects {Shapes.Format(spec.Shape)}");
        }

        if (tensor.ElementCount == 0)
        {
            throw InferenceException.BadInput(
                $"input '{tensor.Name}' has shape {Shapes.Format(tensor.Shape)}, which holds no elements (empty batch)");
        }
    }

    private static string Names(IEnumerable<TensorSpec> specs) => string.Join(", ", specs.Select(s => s.Name));
}
