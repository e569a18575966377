using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace StaticNets.Kernels;

/// <summary>
/// One vector width (128, 256 or 512 bits) seen through a common shape, so that each driver and each dense
/// kernel is written once and instantiated per width. Every implementation is a struct, so the JIT compiles a
/// separate, fully inlined copy per width: the abstraction costs nothing at run time.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="TVec">The vector type of this width, <c>VectorNNN&lt;T&gt;</c>.</typeparam>
internal interface ISimd<T, TVec>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TVec : unmanaged
{
    /// <summary>Whether the hardware accelerates this width for <typeparamref name="T"/> and the test hook allows it.</summary>
    static abstract bool IsEnabled { get; }

    /// <summary>Number of lanes.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TVec Zero { get; }

    /// <summary>All lanes <paramref name="value"/>.</summary>
    static abstract TVec Create(T value);

    /// <summary>Loads <see cref="Count"/> elements starting <paramref name="offset"/> elements after <paramref name="source"/>.</summary>
    static abstract TVec Load(ref T source, nuint offset);

    /// <summary>Stores all lanes starting <paramref name="offset"/> elements after <paramref name="destination"/>.</summary>
    static abstract void Store(TVec value, ref T destination, nuint offset);

    /// <summary>Lane-wise sum.</summary>
    static abstract TVec Add(TVec x, TVec y);

    /// <summary>Lane-wise <c>x·y + addend</c>, fused where the hardware can.</summary>
    static abstract TVec MultiplyAdd(TVec x, TVec y, TVec addend);

    /// <summary>A mask with the last <paramref name="lanes"/> lanes set (0 &lt; lanes &lt; Count).</summary>
    static abstract TVec LastLanes(nuint lanes);

    /// <summary>Lane-wise bitwise and.</summary>
    static abstract TVec And(TVec x, TVec y);

    /// <summary>Lane-wise difference.</summary>
    static abstract TVec Subtract(TVec x, TVec y);

    /// <summary>Lane-wise product.</summary>
    static abstract TVec Multiply(TVec x, TVec y);

    /// <summary>Lane-wise quotient (a true division).</summary>
    static abstract TVec Divide(TVec x, TVec y);

    /// <summary>The x86 maximum, as <see cref="FusedSimd.MaxNative{T}(System.Runtime.Intrinsics.Vector512{T}, System.Runtime.Intrinsics.Vector512{T})"/>.</summary>
    static abstract TVec MaxNative(TVec x, TVec y);

    /// <summary>All bits set in the lanes where <paramref name="x"/> &lt; <paramref name="y"/>.</summary>
    static abstract TVec LessThan(TVec x, TVec y);

    /// <summary>All bits set in the lanes where <paramref name="x"/> &gt; <paramref name="y"/>.</summary>
    static abstract TVec GreaterThan(TVec x, TVec y);

    /// <summary>
    /// Each lane's bits as an integer of the lane's size, plus <paramref name="bias"/>, shifted into the exponent field
    /// (23 bits for <see cref="float"/>, 52 for <see cref="double"/>), read back as <typeparamref name="T"/>: the
    /// exponential's 2^n from n rounded by the magic-number trick.
    /// </summary>
    static abstract TVec ToExponent(TVec x, long bias);

    /// <summary>Whether <see cref="ScaleB"/> is one instruction here (AVX-512's <c>vscalef</c>).</summary>
    static abstract bool HasScaleB { get; }

    /// <summary>
    /// <paramref name="y"/> · 2^<paramref name="n"/> rounded once, for integral <paramref name="n"/>; only where
    /// <see cref="HasScaleB"/>.
    /// </summary>
    static abstract TVec ScaleB(TVec y, TVec n);

    /// <summary>Per lane: <paramref name="ifSet"/> where <paramref name="mask"/> is set, else <paramref name="ifClear"/>.</summary>
    static abstract TVec Select(TVec mask, TVec ifSet, TVec ifClear);

    /// <summary>Sum of all lanes.</summary>
    static abstract T Sum(TVec x);

    /// <summary>Applies a unary operator at this width.</summary>
    static abstract TVec Unary<TOp>(TVec x, TVec s) where TOp : IUnaryOperator<T>;

    /// <summary>Applies a binary operator at this width.</summary>
    static abstract TVec Binary<TOp>(TVec x, TVec y, TVec s) where TOp : IBinaryOperator<T>;

    /// <summary>Folds one vector into an accumulator at this width.</summary>
    static abstract TVec Aggregate<TOp>(TVec accumulator, TVec x) where TOp : IAggregateOperator<T>;

    /// <summary>Folds a pair of vectors into an accumulator at this width.</summary>
    static abstract TVec Aggregate<TOp>(TVec accumulator, TVec x, TVec y) where TOp : IBinaryAggregateOperator<T>;
}

/// <summary>Helpers shared by the three widths.</summary>
internal static class Simd
{
    /// <summary>
    /// Only <see cref="float"/> and <see cref="double"/> have hardware vector arithmetic; other IEEE types
    /// (<see cref="System.Half"/>, <c>NFloat</c>) take the scalar paths. A JIT-time constant per <typeparamref name="T"/>.
    /// </summary>
    internal static bool IsVectorizable<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    // Scalar code that must give the vector kernels' bits (the exponential's scalar tails): fused exactly where the
    // 128-bit form below fuses; on x86 without FMA both round the product and the sum separately.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float MultiplyAdd(float x, float y, float addend)
        => Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(x, y, addend) : x * y + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double MultiplyAdd(double x, double y, double addend)
        => Fma.IsSupported || AdvSimd.Arm64.IsSupported ? Math.FusedMultiplyAdd(x, y, addend) : x * y + addend;

    // net8.0 has no VectorNNN.FusedMultiplyAdd, so go to the instruction sets directly. The typeof tests fold
    // per T and the IsSupported tests per machine, leaving one instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> MultiplyAdd<T>(Vector128<T> x, Vector128<T> y, Vector128<T> addend)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Fma.MultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Fma.MultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
        }
        if (AdvSimd.IsSupported && typeof(T) == typeof(float))
            return AdvSimd.FusedMultiplyAdd(addend.AsSingle(), x.AsSingle(), y.AsSingle()).As<float, T>();
        if (AdvSimd.Arm64.IsSupported && typeof(T) == typeof(double))
            return AdvSimd.Arm64.FusedMultiplyAdd(addend.AsDouble(), x.AsDouble(), y.AsDouble()).As<double, T>();
        return x * y + addend;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> MultiplyAdd<T>(Vector256<T> x, Vector256<T> y, Vector256<T> addend)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Fma.MultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Fma.MultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
        }
        // A width the machine does not have (Vector256 on Arm): in fused halves where the narrower width has them, so
        // every width rounds once per multiply-add, as the scalar code's T.FusedMultiplyAdd does.
        if (AdvSimd.IsSupported)
            return Vector256.Create(MultiplyAdd(x.GetLower(), y.GetLower(), addend.GetLower()), MultiplyAdd(x.GetUpper(), y.GetUpper(), addend.GetUpper()));
        return x * y + addend;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> MultiplyAdd<T>(Vector512<T> x, Vector512<T> y, Vector512<T> addend)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx512F.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx512F.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
        }
        // Without AVX-512 (or with it turned off: DOTNET_EnableAVX512=0) in fused halves, so the 512-bit forms that
        // callers may still use (LaneKernels.Exp, GateMath) give the bits of the narrower widths.
        if (Fma.IsSupported || AdvSimd.IsSupported)
            return Vector512.Create(MultiplyAdd(x.GetLower(), y.GetLower(), addend.GetLower()), MultiplyAdd(x.GetUpper(), y.GetUpper(), addend.GetUpper()));
        return x * y + addend;
    }
}

/// <summary>The 128-bit width (SSE, AdvSimd).</summary>
internal readonly struct Simd128<T> : ISimd<T, Vector128<T>>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool IsEnabled
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.IsHardwareAccelerated && Simd.IsVectorizable<T>() && VectorWidth.MaxBits >= 128;
    }

    public static int Count => Vector128<T>.Count;

    public static Vector128<T> Zero => Vector128<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Create(T value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Load(ref T source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Add(Vector128<T> x, Vector128<T> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd(Vector128<T> x, Vector128<T> y, Vector128<T> addend) => Simd.MultiplyAdd(x, y, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LastLanes(nuint lanes)
    {
        // Lane i is kept when i ≥ Count − lanes; comparing a constant index vector avoids a mask table.
        if (typeof(T) == typeof(float))
            return Vector128.GreaterThanOrEqual(Vector128.Create(0, 1, 2, 3), Vector128.Create(4 - (int)lanes)).As<int, T>();
        return Vector128.GreaterThanOrEqual(Vector128.Create(0L, 1L), Vector128.Create(2L - (long)lanes)).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> And(Vector128<T> x, Vector128<T> y) => x & y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Subtract(Vector128<T> x, Vector128<T> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Multiply(Vector128<T> x, Vector128<T> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Divide(Vector128<T> x, Vector128<T> y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MaxNative(Vector128<T> x, Vector128<T> y) => FusedSimd.MaxNative(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LessThan(Vector128<T> x, Vector128<T> y) => Vector128.LessThan(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> GreaterThan(Vector128<T> x, Vector128<T> y) => Vector128.GreaterThan(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ToExponent(Vector128<T> x, long bias) => typeof(T) == typeof(float)
        ? Vector128.ShiftLeft(x.AsInt32() + Vector128.Create((int)bias), 23).As<int, T>()
        : Vector128.ShiftLeft(x.AsInt64() + Vector128.Create(bias), 52).As<long, T>();

    public static bool HasScaleB => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ScaleB(Vector128<T> y, Vector128<T> n) => typeof(T) == typeof(float)
        ? Avx512F.VL.Scale(y.AsSingle(), n.AsSingle()).As<float, T>()
        : Avx512F.VL.Scale(y.AsDouble(), n.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Select(Vector128<T> mask, Vector128<T> ifSet, Vector128<T> ifClear) => Vector128.ConditionalSelect(mask, ifSet, ifClear);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector128<T> x) => Vector128.Sum(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Unary<TOp>(Vector128<T> x, Vector128<T> s) where TOp : IUnaryOperator<T> => TOp.Invoke(x, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Binary<TOp>(Vector128<T> x, Vector128<T> y, Vector128<T> s) where TOp : IBinaryOperator<T> => TOp.Invoke(x, y, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Aggregate<TOp>(Vector128<T> accumulator, Vector128<T> x) where TOp : IAggregateOperator<T> => TOp.Invoke(accumulator, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Aggregate<TOp>(Vector128<T> accumulator, Vector128<T> x, Vector128<T> y) where TOp : IBinaryAggregateOperator<T> => TOp.Invoke(accumulator, x, y);
}

/// <summary>The 256-bit width (AVX2).</summary>
internal readonly struct Simd256<T> : ISimd<T, Vector256<T>>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool IsEnabled
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.IsHardwareAccelerated && Simd.IsVectorizable<T>() && VectorWidth.MaxBits >= 256;
    }

    public static int Count => Vector256<T>.Count;

    public static Vector256<T> Zero => Vector256<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Create(T value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(ref T source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> x, Vector256<T> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> x, Vector256<T> y, Vector256<T> addend) => Simd.MultiplyAdd(x, y, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LastLanes(nuint lanes)
    {
        if (typeof(T) == typeof(float))
            return Vector256.GreaterThanOrEqual(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(8 - (int)lanes)).As<int, T>();
        return Vector256.GreaterThanOrEqual(Vector256.Create(0L, 1L, 2L, 3L), Vector256.Create(4L - (long)lanes)).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> And(Vector256<T> x, Vector256<T> y) => x & y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Subtract(Vector256<T> x, Vector256<T> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Multiply(Vector256<T> x, Vector256<T> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Divide(Vector256<T> x, Vector256<T> y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MaxNative(Vector256<T> x, Vector256<T> y) => FusedSimd.MaxNative(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LessThan(Vector256<T> x, Vector256<T> y) => Vector256.LessThan(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> GreaterThan(Vector256<T> x, Vector256<T> y) => Vector256.GreaterThan(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ToExponent(Vector256<T> x, long bias) => typeof(T) == typeof(float)
        ? Vector256.ShiftLeft(x.AsInt32() + Vector256.Create((int)bias), 23).As<int, T>()
        : Vector256.ShiftLeft(x.AsInt64() + Vector256.Create(bias), 52).As<long, T>();

    public static bool HasScaleB => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ScaleB(Vector256<T> y, Vector256<T> n) => typeof(T) == typeof(float)
        ? Avx512F.VL.Scale(y.AsSingle(), n.AsSingle()).As<float, T>()
        : Avx512F.VL.Scale(y.AsDouble(), n.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Select(Vector256<T> mask, Vector256<T> ifSet, Vector256<T> ifClear) => Vector256.ConditionalSelect(mask, ifSet, ifClear);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector256<T> x) => Vector256.Sum(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Unary<TOp>(Vector256<T> x, Vector256<T> s) where TOp : IUnaryOperator<T> => TOp.Invoke(x, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Binary<TOp>(Vector256<T> x, Vector256<T> y, Vector256<T> s) where TOp : IBinaryOperator<T> => TOp.Invoke(x, y, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Aggregate<TOp>(Vector256<T> accumulator, Vector256<T> x) where TOp : IAggregateOperator<T> => TOp.Invoke(accumulator, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Aggregate<TOp>(Vector256<T> accumulator, Vector256<T> x, Vector256<T> y) where TOp : IBinaryAggregateOperator<T> => TOp.Invoke(accumulator, x, y);
}

/// <summary>The 512-bit width (AVX-512).</summary>
internal readonly struct Simd512<T> : ISimd<T, Vector512<T>>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool IsEnabled
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated && Simd.IsVectorizable<T>() && VectorWidth.MaxBits >= 512;
    }

    public static int Count => Vector512<T>.Count;

    public static Vector512<T> Zero => Vector512<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Create(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ref T source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> x, Vector512<T> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> x, Vector512<T> y, Vector512<T> addend) => Simd.MultiplyAdd(x, y, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LastLanes(nuint lanes)
    {
        if (typeof(T) == typeof(float))
            return Vector512.GreaterThanOrEqual(
                Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                Vector512.Create(16 - (int)lanes)).As<int, T>();
        return Vector512.GreaterThanOrEqual(Vector512.Create(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), Vector512.Create(8L - (long)lanes)).As<long, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> And(Vector512<T> x, Vector512<T> y) => x & y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Subtract(Vector512<T> x, Vector512<T> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Multiply(Vector512<T> x, Vector512<T> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Divide(Vector512<T> x, Vector512<T> y) => x / y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MaxNative(Vector512<T> x, Vector512<T> y) => FusedSimd.MaxNative(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LessThan(Vector512<T> x, Vector512<T> y) => Vector512.LessThan(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> GreaterThan(Vector512<T> x, Vector512<T> y) => Vector512.GreaterThan(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ToExponent(Vector512<T> x, long bias) => typeof(T) == typeof(float)
        ? Vector512.ShiftLeft(x.AsInt32() + Vector512.Create((int)bias), 23).As<int, T>()
        : Vector512.ShiftLeft(x.AsInt64() + Vector512.Create(bias), 52).As<long, T>();

    public static bool HasScaleB => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ScaleB(Vector512<T> y, Vector512<T> n) => typeof(T) == typeof(float)
        ? Avx512F.Scale(y.AsSingle(), n.AsSingle()).As<float, T>()
        : Avx512F.Scale(y.AsDouble(), n.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Select(Vector512<T> mask, Vector512<T> ifSet, Vector512<T> ifClear) => Vector512.ConditionalSelect(mask, ifSet, ifClear);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector512<T> x) => Vector512.Sum(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Unary<TOp>(Vector512<T> x, Vector512<T> s) where TOp : IUnaryOperator<T> => TOp.Invoke(x, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Binary<TOp>(Vector512<T> x, Vector512<T> y, Vector512<T> s) where TOp : IBinaryOperator<T> => TOp.Invoke(x, y, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Aggregate<TOp>(Vector512<T> accumulator, Vector512<T> x) where TOp : IAggregateOperator<T> => TOp.Invoke(accumulator, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Aggregate<TOp>(Vector512<T> accumulator, Vector512<T> x, Vector512<T> y) where TOp : IBinaryAggregateOperator<T> => TOp.Invoke(accumulator, x, y);
}
