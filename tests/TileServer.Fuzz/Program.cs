using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using SharpFuzz;
using TileServer.Fuzz;

// The fuzzing harness of the input readers (SharpFuzz + AFL++). fuzz.sh builds, instruments and runs it; by hand:
//   dotnet TileServer.Fuzz.dll seed DIR SAMPLE [PERU]    writes a seed corpus per target under DIR (from geodata/sample, and Peru)
//   dotnet TileServer.Fuzz.dll TARGET                    the AFL++ target (input on stdin, persistent mode)
//   dotnet TileServer.Fuzz.dll replay TARGET FILE...     runs inputs once, without AFL++ (what a regression test does)
// Targets: shapefile, csv, geojson, prj, query (aggregation bodies), cql2 (filters), batch-json and batch-csv (lookup
// batches), params (query strings). See ReaderTargets and RequestTargets for the contract each is held to. The params
// target reads the sample from geodata/sample under the working directory, or from TILESERVER_FUZZ_SAMPLE.
return args switch
{
    ["seed", var dir, var sample, .. var rest] => Seeds.Write(dir, sample, rest.FirstOrDefault()),
    ["replay", var target, .. var files] when Targets.All.Contains(target) => Replay(target, files),
    [var target] when Targets.All.Contains(target) => Fuzz(target),
    _ => Usage(),
};

static int Fuzz(string target)
{
    Targets.Prepare(target);
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Targets.Run(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    });
    return 0;
}

static int Replay(string target, string[] files)
{
    Targets.Prepare(target);
    var failures = 0;
    foreach (var file in files)
    {
        try
        {
            Targets.Run(target, File.ReadAllBytes(file));
            Console.WriteLine($"{file}: ok");
        }
        catch (Exception e)
        {
            failures++;
            Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
            // Where it was thrown: the first frames, enough to find the line to fix.
            foreach (var frame in ((e.InnerException ?? e).StackTrace ?? string.Empty).Split('\n').Take(4))
            {
                Console.WriteLine($"    {frame.Trim()}");
            }
        }
    }

    return failures == 0 ? 0 : 1;
}

static int Usage()
{
    Console.Error.WriteLine($"usage: TileServer.Fuzz ({string.Join("|", Targets.All)}) | seed DIR SAMPLE_DIR [PERU_DIR] | replay TARGET FILE...");
    return 2;
}

namespace TileServer.Fuzz
{
    /// <summary>Every target, the readers' and the request parsers', by name.</summary>
    internal static class Targets
    {
        public static readonly string[] All = [.. ReaderTargets.Names, .. RequestTargets.Names];

        /// <summary>
        /// What a target needs before its first input, run with SharpFuzz's coverage map pointed at a scratch buffer:
        /// instrumented code writes to the map on every branch, and until <c>Fuzzer.OutOfProcess.Run</c> attaches
        /// AFL++'s shared memory (replacing the pointer) the map is a null pointer, an access violation. The scratch
        /// buffer also keeps the preparation's branches out of the first input's coverage. It is never freed: the
        /// process is the fuzzer's for its whole life.
        /// </summary>
        public static unsafe void Prepare(string target)
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(1 << 16);
            RequestTargets.Prepare(target, Environment.GetEnvironmentVariable("TILESERVER_FUZZ_SAMPLE") ?? "geodata/sample");
        }

        public static void Run(string target, ReadOnlySpan<byte> input)
        {
            if (RequestTargets.Names.Contains(target))
            {
                RequestTargets.Run(target, input);
            }
            else
            {
                ReaderTargets.Run(target, input);
            }
        }
    }

    /// <summary>
    /// Packs a shapefile's files into one fuzz input: a 12-byte header (little-endian lengths of the .cpg and .prj as
    /// 16-bit, of the .shx and .dbf as 32-bit), the four files in that order, then the .shp (the rest). A length of 0
    /// means the file is absent (.cpg, .prj); lengths past the end are cut to what remains, so every input unpacks.
    /// </summary>
    internal static class ShapefileContainer
    {
        public const int HeaderLength = 12;

        public static byte[] Pack(byte[] shp, byte[] shx, byte[] dbf, byte[]? prj, byte[]? cpg)
        {
            var cpgLength = cpg?.Length ?? 0;
            var prjLength = prj?.Length ?? 0;
            var packed = new byte[HeaderLength + cpgLength + prjLength + shx.Length + dbf.Length + shp.Length];
            BinaryPrimitives.WriteUInt16LittleEndian(packed, (ushort)cpgLength);
            BinaryPrimitives.WriteUInt16LittleEndian(packed.AsSpan(2), (ushort)prjLength);
            BinaryPrimitives.WriteInt32LittleEndian(packed.AsSpan(4), shx.Length);
            BinaryPrimitives.WriteInt32LittleEndian(packed.AsSpan(8), dbf.Length);
            var at = HeaderLength;
            foreach (var part in new[] { cpg ?? [], prj ?? [], shx, dbf, shp })
            {
                part.CopyTo(packed, at);
                at += part.Length;
            }

            return packed;
        }

        public static (byte[] Shp, byte[] Shx, byte[] Dbf, byte[]? Prj, byte[]? Cpg) Unpack(ReadOnlySpan<byte> input)
        {
            if (input.Length < HeaderLength)
            {
                return (input.ToArray(), [], [], null, null);
            }

            var lengths = new long[]
            {
                BinaryPrimitives.ReadUInt16LittleEndian(input),
                BinaryPrimitives.ReadUInt16LittleEndian(input[2..]),
                BinaryPrimitives.ReadUInt32LittleEndian(input[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(input[8..]),
            };
            var rest = input[HeaderLength..];
            var parts = new byte[4][];
            for (var i = 0; i < 4; i++)
            {
                var length = (int)Math.Min(lengths[i], rest.Length);
                parts[i] = rest[..length].ToArray();
                rest = rest[length..];
            }

            return (rest.ToArray(), parts[2], parts[3], lengths[1] == 0 ? null : parts[1], lengths[0] == 0 ? null : parts[0]);
        }
    }

    /// <summary>Text helpers for seeds.</summary>
    internal static class Utf8
    {
        public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
    }
}
