using System.ComponentModel;
using System.Runtime.InteropServices;

namespace TileServer.Infrastructure;

/// <summary>
/// Lowers the calling thread's CPU priority. On Linux that is its nice value, which Linux keeps per thread (not per
/// process, as POSIX has it): <c>setpriority(PRIO_PROCESS, gettid(), n)</c> changes this thread only. An unprivileged
/// process may raise a nice value (lower the priority) but not lower it again below its limit (<c>RLIMIT_NICE</c>,
/// usually 0), and a thread starts with the nice value of the thread that creates it: a thread given a higher one
/// keeps it, and passes it on to the threads it starts. Elsewhere, <see cref="Thread.Priority"/> (Windows honours it).
/// </summary>
internal static partial class ThreadNiceness
{
    private const int PrioProcess = 0;

    /// <summary>Lowers the calling thread to nice value <paramref name="niceness"/>; false, with the reason, where it cannot.</summary>
    public static bool TryLowerCurrentThread(int niceness, out string? error)
    {
        if (!OperatingSystem.IsLinux())
        {
            Thread.CurrentThread.Priority = niceness >= 10 ? ThreadPriority.Lowest : ThreadPriority.BelowNormal;
            error = null;
            return true;
        }

        if (setpriority(PrioProcess, gettid(), niceness) == 0)
        {
            error = null;
            return true;
        }

        error = new Win32Exception(Marshal.GetLastPInvokeError()).Message;
        return false;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, int who, int prio);

    [LibraryImport("libc")]
    private static partial int gettid();
}
