using Serving.Runtime.Hosting;

namespace Serving.Runtime.Tests.Hosting;

public sealed class StorageInitializerOptionsTests
{
    [Fact]
    public void Pairs_and_options_in_any_order_with_both_spellings()
    {
        var options = StorageInitializerOptions.Parse(
            ["--max-bytes", "1000", "s3://b/m", "/mnt/models", "--max_files=5", "https://h/x.onnx", "/mnt/other", "--timeout-s", "9", "--termination-log", "/tmp/t"]);

        Assert.Equal([("s3://b/m", "/mnt/models"), ("https://h/x.onnx", "/mnt/other")], options.Downloads);
        Assert.Equal((1000, 5, TimeSpan.FromSeconds(9)), (options.Limits.MaxBytes, options.Limits.MaxFiles, options.Limits.Timeout));
        Assert.Equal("/tmp/t", options.TerminationLog);
    }

    [Theory]
    [InlineData(new string[0], "expected SRC_URI DEST_DIR pairs")]
    [InlineData(new[] { "s3://b/m" }, "expected SRC_URI DEST_DIR pairs")]
    [InlineData(new[] { "s3://b/m", "/d", "--max-bytes", "0" }, "--max-bytes must be an integer from 1 to 9223372036854775807, not '0'")]
    [InlineData(new[] { "s3://b/m", "/d", "--frobnicate", "1" }, "unknown option --frobnicate")]
    public void Bad_command_lines_say_what_is_wrong(string[] args, string message)
    {
        Assert.Equal(message, Assert.Throws<OptionsException>(() => StorageInitializerOptions.Parse(args)).Message);
    }

    [Theory]
    [InlineData(new[] { "s3://b/m", "/mnt/models" }, true)]
    [InlineData(new[] { "s3://b/m", "/mnt/models", "gs://x", "/mnt/x" }, true)]
    [InlineData(new[] { "--model-dir", "/mnt/models" }, false)]
    [InlineData(new[] { "s3://b/m" }, false)]
    public void Kserve_bare_arguments_are_told_from_server_options(string[] args, bool bare)
    {
        Assert.Equal(bare, StorageInitializerOptions.IsBareForm(args));
    }
}
