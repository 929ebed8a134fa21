namespace Serving.Fuzz;

/// <summary>
/// One parser of outside input under fuzzing: seeds to mutate, and a run that feeds it one input and lets only the
/// parser's documented error types through (any other exception is a finding). Runs must not hang or allocate without
/// bound: the driver times each one and the inputs are at most <see cref="Mutator.MaxLength"/> bytes.
/// </summary>
public sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Seeds, Action<byte[]> Run, string Documented);
