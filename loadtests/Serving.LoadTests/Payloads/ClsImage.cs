namespace Serving.LoadTests.Payloads;

/// <summary>
/// One PP-OCR cls input: a text-line crop of 3×48×192, normalised to [-1, 1] the way PaddleOCR does
/// (<c>(pixel / 255 - 0.5) / 0.5</c>). Pixels come from a seeded generator, so every run sends the same bytes.
/// </summary>
internal static class ClsImage
{
    public const string InputName = "x";
    public const int Channels = 3;
    public const int Height = 48;
    public const int Width = 192;
    public const int Elements = Channels * Height * Width;

    public static long[] Shape(int batch) => [batch, Channels, Height, Width];

    public static float[] Create(int batch = 1)
    {
        var random = new Random(20240601);
        var one = new float[Elements];
        for (int i = 0; i < one.Length; i++)
        {
            one[i] = (random.Next(256) / 255f - 0.5f) / 0.5f;
        }

        var data = new float[Elements * batch];
        for (int b = 0; b < batch; b++)
        {
            one.CopyTo(data, b * Elements);
        }

        return data;
    }
}
