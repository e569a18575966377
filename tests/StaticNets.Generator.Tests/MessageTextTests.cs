using Xunit;

namespace StaticNets.Generator.Tests;

public class MessageTextTests
{
    [Theory]
    [InlineData(1, "1st")]
    [InlineData(2, "2nd")]
    [InlineData(3, "3rd")]
    [InlineData(4, "4th")]
    [InlineData(11, "11th")]
    [InlineData(12, "12th")]
    [InlineData(13, "13th")]
    [InlineData(21, "21st")]
    [InlineData(22, "22nd")]
    [InlineData(101, "101st")]
    [InlineData(111, "111th")]
    public void Ordinals_are_English(int n, string expected) => Assert.Equal(expected, MessageText.Ordinal(n));
}
