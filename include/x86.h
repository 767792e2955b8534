/* SPDX-License-Identifier: MIT */
/*
 * Architectural x86 definitions, usable from C and from assembly (no
 * types, no suffixes the assembler cannot read: _ULL() adds them in C
 * only), with no includes, so every room may use it (README,
 * Architecture): MSR indices, control-register, EFER and RFLAGS bits,
 * exception vectors, CPUID leaves and feature bits (masks). Intel SDM
 * vol. 2A (CPUID), vol. 3A/3C and vol. 4 (MSRs); AMD APM vol. 2 and 3.
 * What only one backend or one device uses stays there (vmcs.h, vmcb.h,
 * vlapic_regs.h, and the XCR0 components with their policy in
 * vmm/xcr0.h); x2hv's own choices (host vectors, ports) are not here.
 */
#ifndef X2HV_INCLUDE_X86_H
#define X2HV_INCLUDE_X86_H

#ifdef __ASSEMBLY__
#define _ULL(x) x
#else
#define _ULL(x) x##ull
#endif
#define BIT_ULL(n) (_ULL(1) << (n))

/* MSRs (SDM vol. 4; AMD APM vol. 2 appendix A). */
#define MSR_IA32_TSC 0x10
#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_BIOS_SIGN_ID 0x8b
#define MSR_IA32_XAPIC_DISABLE_STATUS 0xbd
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MCG_CAP 0x179
#define MSR_IA32_MCG_STATUS 0x17a
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_PAT 0x277
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST 0x800 /* x2APIC registers: 0x800 + offset / 16 */
#define MSR_X2APIC_LAST 0x8ff
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_AMD_HWCR 0xc0010015
#define MSR_AMD_NB_CFG 0xc001001f
#define MSR_AMD_INT_PENDING 0xc0010055
#define MSR_AMD_VM_CR 0xc0010114
#define VM_CR_SVMDIS                                                           \
	BIT_ULL(4) /* SVM disabled by firmware (APM vol. 2 15.30.1) */
#define MSR_AMD_VM_HSAVE_PA 0xc0010117
#define MSR_AMD_OSVW_LEN 0xc0010140
#define MSR_AMD_OSVW_STATUS 0xc0010141
#define MSR_AMD_DE_CFG 0xc0011029

#define EFER_SCE BIT_ULL(0)
#define EFER_LME BIT_ULL(8)
#define EFER_LMA BIT_ULL(10)
#define EFER_NXE BIT_ULL(11)
#define EFER_SVME BIT_ULL(12)

#define CR0_PE BIT_ULL(0)
#define CR0_MP BIT_ULL(1)
#define CR0_EM BIT_ULL(2)
#define CR0_TS BIT_ULL(3)
#define CR0_ET BIT_ULL(4)
#define CR0_NE BIT_ULL(5)
#define CR0_WP BIT_ULL(16)
#define CR0_AM BIT_ULL(18)
#define CR0_NW BIT_ULL(29)
#define CR0_CD BIT_ULL(30)
#define CR0_PG BIT_ULL(31)
#define CR0_RESERVED_HI _ULL(0xffffffff00000000) /* #GP if set (SDM 2.5) */
#define CR3_NOFLUSH BIT_ULL(63) /* with CR4.PCIDE (SDM 4.10.4.1) */
#define CR3_PCID_MASK _ULL(0xfff) /* with CR4.PCIDE (SDM 4.10.1) */
#define CR4_VME BIT_ULL(0)
#define CR4_PVI BIT_ULL(1)
#define CR4_TSD BIT_ULL(2)
#define CR4_DE BIT_ULL(3)
#define CR4_PSE BIT_ULL(4)
#define CR4_PAE BIT_ULL(5)
#define CR4_MCE BIT_ULL(6)
#define CR4_PGE BIT_ULL(7)
#define CR4_PCE BIT_ULL(8)
#define CR4_OSFXSR BIT_ULL(9)
#define CR4_OSXMMEXCPT BIT_ULL(10)
#define CR4_UMIP BIT_ULL(11)
#define CR4_LA57 BIT_ULL(12)
#define CR4_VMXE BIT_ULL(13)
#define CR4_FSGSBASE BIT_ULL(16)
#define CR4_PCIDE BIT_ULL(17)
#define CR4_OSXSAVE BIT_ULL(18)
#define CR4_SMEP BIT_ULL(20)
#define CR4_SMAP BIT_ULL(21)
#define CR4_PKE BIT_ULL(22)
#define CR4_CET BIT_ULL(23)

#define RFLAGS_FIXED BIT_ULL(1) /* always 1 */
#define RFLAGS_TF BIT_ULL(8)
#define RFLAGS_IF BIT_ULL(9)
#define RFLAGS_RF BIT_ULL(16)

/* DR6 and DR7 (SDM vol. 3B 19.2.3, 19.2.4). */
#define DR6_B0_B3 0xfull /* breakpoint conditions met */
#define DR6_BD BIT_ULL(13) /* debug-register access detected */
#define DR6_BS BIT_ULL(14) /* single step */
#define DR6_RTM BIT_ULL(16) /* active low */
#define DR6_ONES 0xfffe0ff0ull /* bits 31:17 and 11:4 read as 1 */
#define DR6_INIT 0xffff0ff0ull
#define DR7_GD BIT_ULL(13)

/* Exception vectors (SDM vol. 3A 7.15, table 7-1). */
#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_TS 10
#define VEC_NP 11
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define VEC_AC 17
#define VEC_MC 18
#define NR_EXCEPTION_VECTORS 32

/* CPUID leaves and feature bits (masks). */
#define CPUID_LEAF_CACHE 0x4
#define CPUID_LEAF_TOPOLOGY 0xb
#define CPUID_LEAF_XSAVE 0xd
#define CPUID_LEAF_EXT_MAX 0x80000000
#define CPUID_LEAF_EXT_FEATURES 0x80000001
#define CPUID_LEAF_SVM 0x8000000a
#define CPUID_1_ECX_DTES64 (1u << 2)
#define CPUID_1_ECX_MONITOR (1u << 3)
#define CPUID_1_ECX_DSCPL (1u << 4)
#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_SMX (1u << 6)
#define CPUID_1_ECX_EST (1u << 7)
#define CPUID_1_ECX_TM2 (1u << 8)
#define CPUID_1_ECX_SDBG (1u << 11)
#define CPUID_1_ECX_PDCM (1u << 15)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_MCE (1u << 7)
#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_EDX_MTRR (1u << 12)
#define CPUID_1_EDX_MCA (1u << 14)
#define CPUID_1_EDX_DS (1u << 21)
#define CPUID_1_EDX_ACPI (1u << 22)
#define CPUID_1_EDX_HTT (1u << 28)
#define CPUID_1_EDX_TM (1u << 29)
#define CPUID_1_EDX_PBE (1u << 31)
#define CPUID_7_EBX_TSC_ADJUST (1u << 1)
#define CPUID_7_EBX_SGX (1u << 2)
#define CPUID_7_EBX_INVPCID (1u << 10)
#define CPUID_7_EBX_RDT_M (1u << 12)
#define CPUID_7_EBX_RDT_A (1u << 15)
#define CPUID_7_EBX_PT (1u << 25)
#define CPUID_7_ECX_OSPKE (1u << 4)
#define CPUID_7_ECX_WAITPKG (1u << 5)
#define CPUID_7_ECX_CET_SS (1u << 7)
#define CPUID_7_ECX_RDPID (1u << 22)
#define CPUID_7_ECX_KL (1u << 23)
#define CPUID_7_ECX_SGX_LC (1u << 30)
#define CPUID_7_ECX_PKS (1u << 31)
#define CPUID_7_EDX_UINTR (1u << 5)
#define CPUID_7_EDX_HYBRID (1u << 15)
#define CPUID_7_EDX_PCONFIG (1u << 18)
#define CPUID_7_EDX_CET_IBT (1u << 20)
#define CPUID_7_EDX_IBRS (1u << 26)
#define CPUID_7_EDX_STIBP (1u << 27)
#define CPUID_7_EDX_L1D_FLUSH (1u << 28)
#define CPUID_7_EDX_ARCH_CAPS (1u << 29)
#define CPUID_7_EDX_CORE_CAPS (1u << 30)
#define CPUID_7_EDX_SSBD (1u << 31)
#define CPUID_80000001_ECX_SVM (1u << 2)
#define CPUID_80000001_ECX_EXTAPIC (1u << 3)
#define CPUID_80000001_ECX_IBS (1u << 10)
#define CPUID_80000001_ECX_SKINIT (1u << 12)
#define CPUID_80000001_ECX_WDT (1u << 13)
#define CPUID_80000001_ECX_TCE (1u << 17)
#define CPUID_80000001_ECX_PERFCTR_CORE (1u << 23)
#define CPUID_80000001_ECX_PERFCTR_NB (1u << 24)
#define CPUID_80000001_EDX_FFXSR (1u << 25)
#define CPUID_80000001_EDX_PAGE1GB (1u << 26) /* 1 GiB pages in paging */
#define CPUID_80000001_EDX_RDTSCP (1u << 27)
#define CPUID_80000007_EDX_INVTSC (1u << 8)
/* Vendor strings' first register (EBX): "Genu"ineIntel, "Auth"enticAMD. */
#define CPUID_VENDOR_INTEL_EBX 0x756e6547
#define CPUID_VENDOR_AMD_EBX 0x68747541
#define CPUID_VENDOR_HYGON_EBX 0x6f677948 /* "Hygo" of "HygonGenuine" */

#endif
