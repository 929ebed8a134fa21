using Serving.Models.Iris;

namespace Serving.Models.Tests.Iris;

public sealed class IrisDatasetTests
{
    [Fact]
    public void Npm_data_has_fifty_flowers_of_each_species()
    {
        var data = IrisDataset.Load(RepoPaths.IrisJson);

        Assert.Equal(150, data.Samples.Count);
        Assert.All(Enumerable.Range(0, 3), k => Assert.Equal(50, data.Samples.Count(s => s.Label == k)));
        Assert.Equal(new IrisSample(5.1, 3.5, 1.4, 0.2, 0), data.Samples[0]);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-iris-{Guid.NewGuid():N}.json");

        var error = Assert.Throws<FileNotFoundException>(() => IrisDataset.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{}", "not an array")]
    [InlineData("[]", "no rows")]
    [InlineData("[[5.1, 3.5, 1.4, \"setosa\"]]", "row 0")]
    [InlineData("[[5.1, 3.5, 1.4, 0.2, \"setosa\"], [5.1, \"x\", 1.4, 0.2, \"setosa\"]]", "row 1, column 1")]
    [InlineData("[[5.1, 3.5, 1.4, 0.2, \"rose\"]]", "\"rose\"")]
    public void Malformed_data_names_the_source_and_the_problem(string json, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(() => IrisDataset.Parse(json, "some/iris.json"));

        Assert.Contains("some/iris.json", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
