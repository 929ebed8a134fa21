namespace Serving.Gateway.Graph.Conditions;

/// <summary>
/// GJSON's <c>%</c> pattern (tidwall/match): <c>*</c> any run of characters, <c>?</c> one character, <c>\</c> escapes.
/// Like GJSON's <c>matchLimit</c>, a pattern that needs too many steps (many stars on a long text) does not match.
/// </summary>
internal static class LikePattern
{
    private const int StepLimit = 10_000;

    public static bool Matches(string text, string pattern)
    {
        int budget = StepLimit;
        return Match(text, 0, pattern, 0, ref budget);
    }

    private static bool Match(string text, int t, string pattern, int p, ref int budget)
    {
        while (p < pattern.Length)
        {
            if (--budget < 0)
            {
                return false;
            }

            char c = pattern[p];
            if (c == '*')
            {
                while (p < pattern.Length && pattern[p] == '*')
                {
                    p++; // a run of stars is one star
                }

                if (p == pattern.Length)
                {
                    return true;
                }

                for (int from = t; from <= text.Length; from++)
                {
                    if (Match(text, from, pattern, p, ref budget))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (t == text.Length)
            {
                return false;
            }

            if (c == '?')
            {
                t++;
                p++;
                continue;
            }

            if (c == '\\' && p + 1 < pattern.Length)
            {
                c = pattern[++p];
            }

            if (text[t] != c)
            {
                return false;
            }

            t++;
            p++;
        }

        return t == text.Length;
    }
}
