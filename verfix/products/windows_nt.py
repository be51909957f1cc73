"""Windows NT 3.51, 4.0 (and its Terminal Server Edition) and Windows 2000: the system root."""

from __future__ import annotations

from verfix.products.profile import Branch, Profile, RegistryValue

#: Names the system root folder has on NT 4.0/2000 and on XP/2003, at a volume's root.
SYSTEM_ROOTS = ("WINNT", "WINDOWS")
#: The registry hives, relative to the system root.
SOFTWARE_HIVE = ("system32", "config", "software")
SYSTEM_HIVE = ("system32", "config", "system")

#: Inside the SOFTWARE hive.
CURRENT_VERSION_KEY = r"Microsoft\Windows NT\CurrentVersion"
HOTFIX_KEY = CURRENT_VERSION_KEY + r"\Hotfix"
#: Inside the SYSTEM hive, under the control set ``Select\Current`` names.
PRODUCT_OPTIONS_KEY = r"Control\ProductOptions"

#: The hotfix record that tells NT 4.0 Service Pack 6a from Service Pack 6: both set
#: CSDVersion to "Service Pack 6"; 6a adds this record.
SP6A_HOTFIX = "Q246009"

#: The kernel: its fixed version tells the release and the branch.
KERNEL = "ntoskrnl.exe"

RELEASES = {(3, 51): "3.51", (4, 0): "4.0", (5, 0): "2000"}

#: NT 4.0 hotfixes after SP6a are numbered 4.0.1381.7xxx; Terminal Server Edition's
#: files (kernel and hotfixes) 4.0.1381.33xxx.
TERMINAL_SERVER = Branch(
    name="Terminal Server Edition",
    release="4.0",
    build=1381,
    revisions=(33000, 34000),
    editions=("Terminal Server Edition", "Terminal Server"),
    product_suite="Terminal Server",
)

PROFILE = Profile(
    slug="windows-nt",
    name="Microsoft Windows NT",
    kb_folders=("windows-nt",),
    article_names={"Windows NT": "Microsoft Windows NT", "Microsoft Windows NT": "Microsoft Windows NT"},
    folders=(r"%SystemRoot%\system32", r"%SystemRoot%\system32\drivers"),
    markers=(KERNEL,),
    release_programs=(KERNEL,),
    releases=RELEASES,
    how_release="the major.minor of system32\\ntoskrnl.exe, else CurrentVersion in the SOFTWARE hive",
    how_service_pack="CSDVersion in the SOFTWARE hive; 'Service Pack 6' with hotfix record Q246009 is 6a",
    registry=(
        RegistryValue(CURRENT_VERSION_KEY, "CurrentVersion", "version"),
        RegistryValue(CURRENT_VERSION_KEY, "CurrentBuildNumber", "build"),
        RegistryValue(CURRENT_VERSION_KEY, "CSDVersion", "service-pack"),
        RegistryValue(CURRENT_VERSION_KEY, "SystemRoot", "install-folder"),
    ),
    branches=(TERMINAL_SERVER,),
    # Setup copies the kernel and HAL it chose as ntoskrnl.exe and hal.dll; a hotfix table
    # lists every variant (multiprocessor, PAE, ACPI), each with the same version.
    installed_as={
        "ntkrnlmp.exe": "ntoskrnl.exe", "ntkrnlpa.exe": "ntoskrnl.exe", "ntkrpamp.exe": "ntoskrnl.exe",
        "halmps.dll": "hal.dll", "halapic.dll": "hal.dll", "halacpi.dll": "hal.dll",
        "halaacpi.dll": "hal.dll", "halmacpi.dll": "hal.dll", "halsp.dll": "hal.dll",
    },
    never_installed=(".dbg", ".pdb"),
    release_names={"windows nt 4.0": "4.0", "windows nt 3.51": "3.51", "windows 2000": "2000"},
    release_builds={"3.51": (1057, 1058), "4.0": (1381, 1382), "2000": (2195, 2196)},
    # NT 4.0 SP6 was withdrawn weeks after its release (its TCP/IP broke Lotus Notes clients)
    # and reissued as SP6a: what a server installs, and what "post-SP6" hotfixes are built on.
    reissued_packs={"4.0 SP6": "SP6a"},
)
