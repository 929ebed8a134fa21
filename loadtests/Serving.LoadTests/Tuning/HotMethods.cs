namespace Serving.LoadTests.Tuning;

/// <summary>
/// Distinct small methods for <see cref="RuntimeKnobsProbe"/>: one generic method instantiated over nested value
/// types, so that each instantiation is its own compiled (and tiered) code.
/// </summary>
internal static class HotMethods
{
    public static Func<int, int> Make(int index)
    {
        var type = typeof(int);
        for (int i = 0; i <= index; i++)
        {
            type = typeof(Nest<>).MakeGenericType(type);
        }

        return typeof(HotMethods).GetMethod(nameof(Hot), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!
            .MakeGenericMethod(type).CreateDelegate<Func<int, int>>();
    }

    private static int Hot<T>(int x)
        where T : struct => (x * 31) ^ (x >> 3) ^ System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    private readonly struct Nest<T>
        where T : struct
    {
    }
}
