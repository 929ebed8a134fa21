using System.Text;

namespace Serving.Fuzz;

/// <summary>Seeded mutations of seed inputs: bit flips, byte edits, inserted dictionary tokens, splices, truncation.</summary>
public sealed class Mutator(int seed, IReadOnlyList<byte[]> seeds)
{
    public const int MaxLength = 64 * 1024;

    private static readonly byte[][] Tokens = [.. new[]
    {
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "-1", "1e39", "1e309", "NaN", "\"NaN\"", "18446744073709551616", "0x10",
        "\r\n", "\n", "\r\n\r\n", "HTTP/1.1 ", "HTTP/1.0 ", "Content-Length: ", "Transfer-Encoding: chunked", ";", "0\r\n\r\n", "ffffffffffffffff",
        "#", "#(", ")#", "==", "%", "@this", "\\", ".", "*", "?", "---\n", "apiVersion: ", "kind: ", "  ", "- ", "&a", "*a", "!!binary",
        "\"shape\":[", "\"datatype\":\"BYTES\"", "\"binary_data_size\":", "\u00e9", "\0",
    }.Select(Encoding.UTF8.GetBytes)];

    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        var input = new List<byte>(seeds[_random.Next(seeds.Count)]);
        int edits = 1 + _random.Next(_random.Next(8) == 0 ? 32 : 4);
        for (int e = 0; e < edits; e++)
        {
            int at = input.Count == 0 ? 0 : _random.Next(input.Count + 1);
            switch (_random.Next(7))
            {
                case 0 when input.Count > 0:
                    int flip = Math.Min(at, input.Count - 1);
                    input[flip] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when input.Count > 0:
                    input[Math.Min(at, input.Count - 1)] = (byte)_random.Next(256);
                    break;
                case 2 when input.Count > 0:
                    input.RemoveRange(Math.Min(at, input.Count - 1), Math.Min(input.Count - Math.Min(at, input.Count - 1), 1 + _random.Next(8)));
                    break;
                case 3:
                    input.InsertRange(at, Tokens[_random.Next(Tokens.Length)]);
                    break;
                case 4:
                    var other = seeds[_random.Next(seeds.Count)];
                    int from = _random.Next(other.Length + 1);
                    input.InsertRange(at, other.AsSpan(from, _random.Next(other.Length - from + 1)).ToArray());
                    break;
                case 5 when input.Count > 0:
                    input.RemoveRange(at == input.Count ? at - 1 : at, input.Count - (at == input.Count ? at - 1 : at)); // truncate
                    break;
                default:
                    var token = Tokens[_random.Next(Tokens.Length)];
                    for (int r = _random.Next(1, 50); r > 0; r--)
                    {
                        input.InsertRange(at, token); // repetition: deep nesting, long lines
                    }

                    break;
            }
        }

        return input.Count > MaxLength ? [.. input.GetRange(0, MaxLength)] : [.. input];
    }
}
