using System.Globalization;

namespace StaticNets.Generator;

/// <summary>Small pieces of English for diagnostic messages.</summary>
internal static class MessageText
{
    /// <summary>1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st: the position <paramref name="n"/> (1-based).</summary>
    public static string Ordinal(int n)
    {
        int lastTwo = n % 100;
        string suffix = lastTwo is >= 11 and <= 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return n.ToString(CultureInfo.InvariantCulture) + suffix;
    }
}
