using System.Globalization;
using System.Text;
using Serving.Fuzz;

// serving-fuzz [--executions N] [--seed S] [--target NAME] [--report FILE]: drives every parser of outside input with
// mutated inputs and writes a markdown report (loadtests/fuzz/run.sh is the command the report names).
long executions = 1_000_000;
int seed = 1;
string? only = null;
string report = Path.Combine(Targets.RepoRoot(), "loadtests/reports/fuzz.md");
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--executions": executions = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--target": only = args[i + 1]; break;
        case "--report": report = args[i + 1]; break;
        default: Console.Error.WriteLine($"serving-fuzz: unknown option {args[i]}"); return 2;
    }
}

var results = new List<(FuzzTarget Target, FuzzResult Result)>();
foreach (var target in Targets.All.Where(t => only is null || t.Name == only))
{
    var result = Fuzzer.Run(target, seed, executions);
    results.Add((target, result));
    Console.WriteLine($"{target.Name}: {result.Executions:N0} executions in {result.Elapsed.TotalSeconds:0} s, {result.Findings.Count} findings, slowest run {result.Slowest.TotalMilliseconds:0.0} ms");
}

var md = new StringBuilder();
md.AppendLine("# Fuzzing the parsers of outside input").AppendLine();
md.AppendLine($"Command: `loadtests/fuzz/run.sh --executions {executions} --seed {seed}` ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, shared).").AppendLine();
md.AppendLine("A seeded mutation fuzzer (`loadtests/fuzz/Serving.Fuzz`: bit flips, byte edits, dictionary tokens of JSON, HTTP, GJSON and YAML,");
md.AppendLine("splices, truncation, repetition for depth and length) over seed inputs per target, each input at most 64 KiB. A finding is");
md.AppendLine("an exception other than the one the parser documents, or an input over 1 s on each of three runs. Coverage is not measured (no instrumentation:");
md.AppendLine("SharpFuzz with libFuzzer or AFL++ would give it; neither was set up here). CI runs the same targets for a few thousand");
md.AppendLine("executions each (`tests/Serving.Gateway.Tests/Proxy/FuzzSmokeTests.cs`).").AppendLine();
md.AppendLine("| target | parser | documented error | executions | seconds | slowest run (ms) | findings |");
md.AppendLine("|---|---|---|---:|---:|---:|---:|");
foreach (var (target, result) in results)
{
    md.AppendLine(CultureInfo.InvariantCulture, $"| {target.Name} | {Describe(target.Name)} | {target.Documented} | {result.Executions:N0} | {result.Elapsed.TotalSeconds:0} | {result.Slowest.TotalMilliseconds:0.0} | {result.Findings.Count} |");
}

md.AppendLine().AppendLine("## Findings").AppendLine();
bool any = false;
foreach (var (target, result) in results)
{
    foreach (var (error, input) in result.Findings)
    {
        any = true;
        md.AppendLine(CultureInfo.InvariantCulture, $"- {target.Name}: {error} (input, base64: `{Convert.ToBase64String(input[..Math.Min(input.Length, 200)])}`)");
    }
}

md.AppendLine(any ? "" : "None in this run. Found and fixed while the fuzzer was written: see the commit log (`git log --grep fuzz`).");
File.WriteAllText(report, md.ToString());
Console.WriteLine($"report: {report}");
return results.Any(r => r.Result.Findings.Count > 0) ? 1 : 0;

static string Describe(string name) => name switch
{
    "v2-json" => "`V2RequestReader.Read` (runtime, V2 JSON)",
    "v2-binary" => "`V2RequestReader.Read` with `Inference-Header-Content-Length` (binary tensors)",
    "v1-json" => "`TensorJson.InferShape` + `Decode` as V1 uses them (instances/inputs)",
    "gjson-conditions" => "`GjsonPath.Parse` + `Exists` (gateway graph conditions)",
    "kserve-yaml" => "`ManifestLoader.Load` (controller, KServe YAML)",
    "http1-response-head" => "`ResponseHead.Parse` (gateway direct path)",
    "http1-chunked" => "`ChunkedDecoder.Decode` (gateway direct path), fed in pieces",
    _ => name,
};
